"""Pure domain code: calendars, SLA math, policies, workflow and validation models.

Nothing here imports Textual, Rich, SQLAlchemy or does I/O; import-linter enforces it.
"""
