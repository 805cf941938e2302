"""What the fieldwork commands share: --topic and --wave, the clock, the cipher, error exits."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import click

from generator.errors import YitiError
from survey.config import instance_dir, phone_cipher, settings
from survey.fieldwork.crypto import FieldworkKeyError, PhoneCipher

TOPIC = click.option("--topic", required=True, help="Topic slug, e.g. ebike-charging.")
WAVE = click.option("--wave", required=True, help="Wave id, e.g. 2026-end.")


@contextmanager
def refused() -> Iterator[None]:
    """The project's errors as a one-line Chinese message and exit status 1."""
    try:
        yield
    except (YitiError, FieldworkKeyError) as exc:
        raise click.ClickException(str(exc)) from exc


def cipher() -> PhoneCipher:
    """The phones' cipher from the same settings the app reads (environment or instance/)."""
    return phone_cipher(settings(instance_dir()))


def now() -> datetime:
    """The real clock (tests replace it): fieldwork acts are audited at the time they happen."""
    return datetime.now(UTC)
