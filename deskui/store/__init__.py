"""Persistence: SQLAlchemy schema, engines and sessions, queries, change feed, migrations.

Imports no Textual; knows SQLite and PostgreSQL.
"""
