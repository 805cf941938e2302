"""Alembic migrations of the survey database, one file per schema change in `versions/`, run by
`survey.storage.migrate` (`yiti survey upgrade`) from this folder, found by path.
"""
