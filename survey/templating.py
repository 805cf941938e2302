"""What templates may call: formatting helpers and the site settings. Python computes,
templates format."""

from __future__ import annotations

from typing import Any

from flask import Flask
from jinja2 import StrictUndefined

from survey.state import current_state
from survey.waves import local_time, wave_name

# Flag names → what an evaluator reads beside a response (used by the evaluator pages later).
FLAG_LABELS = {
    "honeypot": "填写了隐藏字段",
    "too_fast": "填写过快",
    "busy_address": "同一网络地址提交较多",
    "busy_device": "同一浏览器提交较多",
}


def register_template_helpers(app: Flask) -> None:
    """Strict templates, the helpers and the site settings on every page."""
    app.jinja_env.undefined = StrictUndefined
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.jinja_env.filters["local_time"] = local_time
    app.jinja_env.filters["wave_name"] = wave_name
    app.context_processor(_site)


def _site() -> dict[str, Any]:
    content = current_state().content
    standard = content.questionnaires.standard
    return {
        "site": content.site,
        "privacy_notice": list(standard.privacy) if standard else [],
    }
