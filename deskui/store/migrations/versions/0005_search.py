"""Search everything, saved views, SLA alerts.

- A full-text index over every ticket (open, resolved and closed) and its log: reference,
  subject, requester (name, email) with the organisation's name, the description and every log
  body. SQLite: an FTS5 table ``ticket_fts`` (rowid = ticket id), with two small ones for
  ranking (``ticket_title_fts``: reference and subject; ``ticket_people_fts``). PostgreSQL:
  ``ticket_search`` (one ``tsvector`` per ticket, weighted A reference, B subject, C people,
  D text) with a GIN index. Both are kept by triggers in the writing transaction, whatever
  program writes; a log entry appends to its ticket's document. Existing rows are indexed
  here.
- ``search_index_pause``: a bulk load (``deskui db generate``) pauses the triggers inside its
  own transaction and indexes its rows in one statement instead (``deskui.store.search``).
- ``saved_view``: an agent's named queue views. ``sla_alert``: alerts already raised.

The SQL is written out here rather than imported so that this revision never changes;
``deskui.store.search`` carries the same document definition for bulk loads (a test checks the
two agree).

Revision ID: 0005
Revises: 0007
Create Date: 2026-12-02 14:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from deskui.store.types import BigId, JSONDocument, UTCDateTime

revision: str = "0005"
# Written against 0003 beside main's 0007; chained after it here (revisions are re-chained at
# merge).
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_PAUSED = "EXISTS (SELECT 1 FROM search_index_pause)"

# The people of a ticket: who raised it as they gave themselves, and the organisation's name.
_PEOPLE = """t.requester_name || ' ' || coalesce(t.requester_email, '') || ' '
           || coalesce((SELECT o.name FROM organisation o WHERE o.id = t.organisation_id), '')"""
# Each index table's columns and one ticket's row of it, for the tickets a WHERE clause picks:
# the whole document (every word, for "found anywhere"), and two small ones that rank a match
# in the reference or subject, or in the people, above one in the text without reading the
# positions of every ticket that mentions a common word.
_SQLITE_TABLES = {
    "ticket_fts": (
        "reference, subject, people, body",
        f"""SELECT t.id, t.reference, t.subject, {_PEOPLE},
       t.description || ' '
           || coalesce((SELECT group_concat(i.body, ' ') FROM interaction i
                        WHERE i.ticket_id = t.id), '')
FROM ticket t""",
    ),
    "ticket_title_fts": ("reference, subject", "SELECT t.id, t.reference, t.subject FROM ticket t"),
    "ticket_people_fts": ("people", f"SELECT t.id, {_PEOPLE} FROM ticket t"),
}


def _sqlite_index(where: str) -> str:
    """Statements (for a trigger body) that write the rows of the tickets ``where`` picks."""
    return "\n".join(
        f"INSERT INTO {name}(rowid, {columns}) {document} WHERE {where};"
        for name, (columns, document) in _SQLITE_TABLES.items()
    )


def _sqlite_unindex(where: str) -> str:
    return "\n".join(f"DELETE FROM {name} WHERE {where};" for name in _SQLITE_TABLES)


SQLITE_STATEMENTS = (
    # unicode61 folds case and (remove_diacritics 2) accents; '-', '@', '.' split words, so a
    # reference DSK-000123 or an email address is found by any of its parts.
    *(
        f"""CREATE VIRTUAL TABLE {name} USING fts5(
        {columns}, tokenize = 'unicode61 remove_diacritics 2')"""
        for name, (columns, _document) in _SQLITE_TABLES.items()
    ),
    f"""CREATE TRIGGER ticket_search_insert AFTER INSERT ON ticket
    WHEN NOT {_PAUSED}
    BEGIN
        {_sqlite_index("t.id = NEW.id")}
    END""",
    f"""CREATE TRIGGER ticket_search_update
    AFTER UPDATE OF reference, subject, description, requester_name, requester_email,
        organisation_id ON ticket
    WHEN NOT {_PAUSED}
    BEGIN
        {_sqlite_unindex("rowid = OLD.id")}
        {_sqlite_index("t.id = NEW.id")}
    END""",
    f"""CREATE TRIGGER ticket_search_delete AFTER DELETE ON ticket
    BEGIN
        {_sqlite_unindex("rowid = OLD.id")}
    END""",
    f"""CREATE TRIGGER interaction_search_insert AFTER INSERT ON interaction
    WHEN NOT {_PAUSED}
    BEGIN
        UPDATE ticket_fts SET body = body || ' ' || NEW.body WHERE rowid = NEW.ticket_id;
    END""",
    f"""CREATE TRIGGER organisation_search_rename AFTER UPDATE OF name ON organisation
    WHEN NOT {_PAUSED} AND OLD.name IS NOT NEW.name
    BEGIN
        {_sqlite_unindex("rowid IN (SELECT id FROM ticket WHERE organisation_id = NEW.id)")}
        {_sqlite_index("t.organisation_id = NEW.id")}
    END""",
    *(
        f"INSERT INTO {name}(rowid, {columns}) {document}"
        for name, (columns, document) in _SQLITE_TABLES.items()
    ),
    *(f"INSERT INTO {name}({name}) VALUES ('optimize')" for name in _SQLITE_TABLES),
)

SQLITE_DROPS = (
    "DROP TRIGGER IF EXISTS ticket_search_insert",
    "DROP TRIGGER IF EXISTS ticket_search_update",
    "DROP TRIGGER IF EXISTS ticket_search_delete",
    "DROP TRIGGER IF EXISTS interaction_search_insert",
    "DROP TRIGGER IF EXISTS organisation_search_rename",
    *(f"DROP TABLE IF EXISTS {name}" for name in _SQLITE_TABLES),
)

POSTGRESQL_STATEMENTS = (
    """CREATE TABLE ticket_search (
        ticket_id BIGINT PRIMARY KEY REFERENCES ticket (id) ON DELETE CASCADE,
        document TSVECTOR NOT NULL
    )""",
    "CREATE INDEX ix_ticket_search_document ON ticket_search USING gin (document)",
    # Punctuation splits words as on SQLite (an email address is found by its parts); words of
    # more than 40 characters (base64, hashes) are dropped, and the text is capped, so that a
    # document stays far below PostgreSQL's 1 MB tsvector limit.
    """CREATE FUNCTION deskui_search_words(value TEXT) RETURNS TEXT
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT regexp_replace(
            regexp_replace(left(coalesce(value, ''), 300000), '[[:punct:][:cntrl:]]+', ' ', 'g'),
            '[^[:space:]]{41,}', ' ', 'g')
    $$""",
    """CREATE FUNCTION deskui_ticket_document(wanted BIGINT) RETURNS TSVECTOR
    LANGUAGE sql STABLE AS $$
        SELECT setweight(to_tsvector('simple', deskui_search_words(t.reference)), 'A')
            || setweight(to_tsvector('simple', deskui_search_words(t.subject)), 'B')
            || setweight(to_tsvector('simple', deskui_search_words(
                   t.requester_name || ' ' || coalesce(t.requester_email, '') || ' '
                   || coalesce(o.name, ''))), 'C')
            || setweight(to_tsvector('simple', deskui_search_words(
                   t.description || ' ' || coalesce(
                       (SELECT string_agg(i.body, ' ' ORDER BY i.id) FROM interaction i
                        WHERE i.ticket_id = t.id), ''))), 'D')
        FROM ticket t LEFT JOIN organisation o ON o.id = t.organisation_id
        WHERE t.id = wanted
    $$""",
    # A document that would still pass the tsvector limit keeps its heading words only: the
    # write that caused it must not fail over the index.
    """CREATE FUNCTION deskui_search_reindex(wanted BIGINT) RETURNS VOID
    LANGUAGE plpgsql AS $$
    DECLARE
        doc TSVECTOR;
    BEGIN
        BEGIN
            doc := deskui_ticket_document(wanted);
        EXCEPTION WHEN program_limit_exceeded THEN
            SELECT setweight(to_tsvector('simple', deskui_search_words(reference)), 'A')
                || setweight(to_tsvector('simple', deskui_search_words(subject)), 'B')
            INTO doc FROM ticket WHERE id = wanted;
        END;
        INSERT INTO ticket_search (ticket_id, document) VALUES (wanted, coalesce(doc, ''))
        ON CONFLICT (ticket_id) DO UPDATE SET document = EXCLUDED.document;
    END
    $$""",
    f"""CREATE FUNCTION deskui_search_ticket_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF NOT {_PAUSED} THEN
            PERFORM deskui_search_reindex(NEW.id);
        END IF;
        RETURN NULL;
    END
    $$""",
    f"""CREATE FUNCTION deskui_search_log_added() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF NOT {_PAUSED} THEN
            BEGIN
                UPDATE ticket_search
                SET document = document
                    || setweight(to_tsvector('simple', deskui_search_words(NEW.body)), 'D')
                WHERE ticket_id = NEW.ticket_id;
            EXCEPTION WHEN program_limit_exceeded THEN
                NULL;  -- the document is full: this entry is not indexed, the write goes on
            END;
        END IF;
        RETURN NULL;
    END
    $$""",
    f"""CREATE FUNCTION deskui_search_organisation_renamed() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF NOT {_PAUSED} THEN
            PERFORM deskui_search_reindex(t.id) FROM ticket t WHERE t.organisation_id = NEW.id;
        END IF;
        RETURN NULL;
    END
    $$""",
    """CREATE TRIGGER ticket_search_insert AFTER INSERT ON ticket
    FOR EACH ROW EXECUTE FUNCTION deskui_search_ticket_changed()""",
    """CREATE TRIGGER ticket_search_update
    AFTER UPDATE OF reference, subject, description, requester_name, requester_email,
        organisation_id ON ticket
    FOR EACH ROW
    WHEN (OLD.reference IS DISTINCT FROM NEW.reference
          OR OLD.subject IS DISTINCT FROM NEW.subject
          OR OLD.description IS DISTINCT FROM NEW.description
          OR OLD.requester_name IS DISTINCT FROM NEW.requester_name
          OR OLD.requester_email IS DISTINCT FROM NEW.requester_email
          OR OLD.organisation_id IS DISTINCT FROM NEW.organisation_id)
    EXECUTE FUNCTION deskui_search_ticket_changed()""",
    """CREATE TRIGGER interaction_search_insert AFTER INSERT ON interaction
    FOR EACH ROW EXECUTE FUNCTION deskui_search_log_added()""",
    """CREATE TRIGGER organisation_search_rename AFTER UPDATE OF name ON organisation
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name)
    EXECUTE FUNCTION deskui_search_organisation_renamed()""",
    "SELECT deskui_search_reindex(id) FROM ticket",
)

POSTGRESQL_DROPS = (
    "DROP TRIGGER IF EXISTS ticket_search_insert ON ticket",
    "DROP TRIGGER IF EXISTS ticket_search_update ON ticket",
    "DROP TRIGGER IF EXISTS interaction_search_insert ON interaction",
    "DROP TRIGGER IF EXISTS organisation_search_rename ON organisation",
    "DROP FUNCTION IF EXISTS deskui_search_organisation_renamed()",
    "DROP FUNCTION IF EXISTS deskui_search_log_added()",
    "DROP FUNCTION IF EXISTS deskui_search_ticket_changed()",
    "DROP FUNCTION IF EXISTS deskui_search_reindex(BIGINT)",
    "DROP FUNCTION IF EXISTS deskui_ticket_document(BIGINT)",
    "DROP FUNCTION IF EXISTS deskui_search_words(TEXT)",
    "DROP TABLE IF EXISTS ticket_search",
)


def upgrade() -> None:
    op.create_table(
        "search_index_pause",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_index_pause")),
    )
    op.create_table(
        "saved_view",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("spec", JSONDocument, nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agent_id"],
            ["agent.id"],
            name=op.f("fk_saved_view_agent_id_agent"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_view")),
        sa.UniqueConstraint("agent_id", "name", name=op.f("uq_saved_view_agent_id_name")),
    )
    op.create_table(
        "sla_alert",
        sa.Column("id", BigId, nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", BigId, nullable=False),
        sa.Column("clock", sa.String(length=32), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("due_at", UTCDateTime(), nullable=False),
        sa.Column("raised_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agent_id"], ["agent.id"], name=op.f("fk_sla_alert_agent_id_agent"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["ticket.id"],
            name=op.f("fk_sla_alert_ticket_id_ticket"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sla_alert")),
        sa.UniqueConstraint(
            "agent_id",
            "ticket_id",
            "clock",
            "level",
            name=op.f("uq_sla_alert_agent_id_ticket_id_clock_level"),
        ),
    )
    op.create_index("ix_sla_alert_ticket_id", "sla_alert", ["ticket_id"], unique=False)
    dialect = op.get_bind().dialect.name
    for statement in SQLITE_STATEMENTS if dialect == "sqlite" else POSTGRESQL_STATEMENTS:
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for statement in SQLITE_DROPS if dialect == "sqlite" else POSTGRESQL_DROPS:
        op.execute(statement)
    op.drop_index("ix_sla_alert_ticket_id", table_name="sla_alert")
    op.drop_table("sla_alert")
    op.drop_table("saved_view")
    op.drop_table("search_index_pause")
