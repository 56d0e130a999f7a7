"""Alembic migrations for the deskui schema (``env.py``, ``versions/``).

Run them with ``deskui.store.migrate.upgrade(url)``; no ``alembic.ini`` is needed. A package so
that installs ship it; Alembic itself ignores the ``__init__.py`` files.
"""
