"""The survey collector: residents answer a topic's satisfaction survey during an open wave."""

from survey.app import create_app

__all__ = ["create_app"]
