"""`yiti survey fieldwork …`: the telephone fieldwork of a topic's wave, from the command line."""

from __future__ import annotations

import click

from survey.fieldwork.crypto import ENV, new_key


@click.group()
def fieldwork() -> None:
    """Telephone fieldwork: the phone key, opening and closing a wave's calling."""


@fieldwork.command("new-key")
def new_key_command() -> None:
    """Print a new random key for YITI_FIELDWORK_KEY (the phones' encryption key).

    Set it once, on every server, and keep it: phones imported with one key cannot be read
    with another.
    """
    click.echo(f"{ENV}={new_key()}")
