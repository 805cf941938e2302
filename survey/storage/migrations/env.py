"""Alembic environment: the survey's tables, on the database `yiti survey upgrade` was given."""

from __future__ import annotations

from alembic import context

import survey.fieldwork.tables  # noqa: F401  (the fieldwork tables belong to the metadata too)
from survey.storage.db import make_engine
from survey.storage.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations() -> None:
    """Run online, on the connection the CLI passes in or on an engine for the configured URL."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as connection:
        _run(connection)
    engine.dispose()


def _run(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite alters tables by copying them
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
