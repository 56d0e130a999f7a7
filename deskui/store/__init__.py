"""Persistence: SQLAlchemy schema, engines and sessions, queries, change feed, migrations.

Imports no Textual; knows SQLite and PostgreSQL. The map (details in docs/store.md):

- ``session.Database``: ``read()`` / ``write()`` transactions, the one way services get a
  session; driver errors become ``deskui.domain.storage_errors``;
- ``engine.make_engine``: SQLite (WAL, foreign keys, busy timeout, BEGIN IMMEDIATE for writes)
  and PostgreSQL (psycopg 3);
- ``models``: the typed ORM tables; ``types``: UTC instants, JSON, 64-bit ids, enum columns;
- ``migrate`` + ``migrations/``: Alembic, driven from code;
- ``references``: gapless ``DSK-000123`` numbers;
- ``changes``: the change feed's events (and NOTIFY); ``queue_queries``: the queue page;
- ``catalog_store``: calendars and policies saved and loaded as their domain specs.
"""
