"""A private PostgreSQL schema for one benchmark run, so runs never meet each other's tables."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text


@contextmanager
def private_schema(base: str) -> Iterator[str]:
    """A new empty schema under the PostgreSQL URL `base`; yields a URL that uses it, and
    drops the schema with everything in it at the end."""
    name = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base)
    with admin.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {name}"))
    try:
        yield f"{base}?options=-csearch_path%3D{name}"
    finally:
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {name} CASCADE"))
        admin.dispose()
