"""Where answers live: the one owner of database engines and sessions (`db`), the tables (`models`),
the only functions views call to store and find responses (`repository`), the append-only
audit trail (`audit`), retention (`retention`), and the Alembic migrations that create it all
(`migrate`, `migrations/`). Nothing outside this folder opens a session.
"""
