"""The schema comes from the migrations, matches the models exactly, and ships with the package."""

from __future__ import annotations

import importlib.resources
import warnings
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from pg import PostgresCluster
from sqlalchemy import inspect, text

from deskui.domain.vocabulary import DONE_STATUSES, OPEN_STATUSES, Status
from deskui.store import migrate
from deskui.store.models import Base
from deskui.store.models.tickets import IS_OPEN_SQL
from deskui.store.session import Database

EXPECTED_TABLES = {
    "agent",
    "agent_category_skill",
    "agent_product_skill",
    "agent_role",
    "agent_team",
    "approval",
    "attachment",
    "audit_refusal",
    "calendar",
    "contact",
    "contract",
    "contract_liaison",
    "desk",
    "event",
    "feedback",
    "interaction",
    "mail_message",
    "mail_quarantine",
    "modification_plan",
    "oncall_rotation",
    "oncall_shift",
    "organisation",
    "outbound_mail",
    "page",
    "product",
    "reference_counter",
    "routing_rule",
    "sla_policy",
    "sla_priority",
    "ssh_key",
    "team",
    "ticket",
    "ticket_presence",
    "ticket_task",
    "triage_checklist",
    "triage_record",
    "triage_step",
    "web_login",
}


def test_migrations_create_every_table_at_head(database: Database) -> None:
    tables = set(inspect(database.engine).get_table_names())
    assert tables - {"alembic_version"} == EXPECTED_TABLES
    assert set(Base.metadata.tables) == EXPECTED_TABLES
    assert migrate.current_revision(database.engine) == migrate.head_revision()
    assert migrate.is_up_to_date(database.engine)


def test_migrated_schema_matches_the_models(database: Database) -> None:
    with database.engine.connect() as connection, warnings.catch_warnings():
        # PostgreSQL stores generated-column expressions in its own spelling; Alembic can only
        # warn that it cannot alter them. Their behaviour is tested below instead.
        warnings.filterwarnings("ignore", message="Computed default on ticket")
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "compare_server_default": True}
        )
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_queue_indexes_exist(database: Database) -> None:
    indexes = {
        index["name"]: index["column_names"]
        for index in inspect(database.engine).get_indexes("ticket")
    }
    assert indexes["ix_ticket_open_queue"] == [
        "is_open",
        "priority_rank",
        "no_due",
        "next_due_at",
        "id",
        "status",
    ]
    assert indexes["ix_ticket_assignee_queue"][:2] == ["assignee_id", "is_open"]
    assert indexes["ix_ticket_status_rank_due"] == ["status", "priority_rank", "next_due_at"]


def test_generated_is_open_matches_the_domain_vocabulary() -> None:
    assert {s.value for s in OPEN_STATUSES} | {s.value for s in DONE_STATUSES} == {
        s.value for s in Status
    }
    for status in DONE_STATUSES:
        assert f"'{status.value}'" in IS_OPEN_SQL
    for status in OPEN_STATUSES:
        assert f"'{status.value}'" not in IS_OPEN_SQL


def test_upgrade_twice_is_a_no_op(db_url: str) -> None:
    migrate.upgrade(db_url)
    assert migrate.current_revision(db_url) == migrate.head_revision()


def test_fresh_database_has_no_revision_and_downgrade_drops_everything(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new' / 'deskui.db'}"
    assert migrate.current_revision(url) is None
    migrate.upgrade(url)
    migrate.downgrade(url, "base")
    db = Database(url)
    try:
        assert set(inspect(db.engine).get_table_names()) == {"alembic_version"}
        with db.read() as session:
            triggers = session.execute(
                text("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            ).all()
        assert triggers == []
    finally:
        db.dispose()


def test_migrations_ship_inside_the_package() -> None:
    migrations = importlib.resources.files("deskui.store") / "migrations"
    assert (migrations / "env.py").is_file()
    assert (migrations / "script.py.mako").is_file()
    assert (migrations / "versions" / "__init__.py").is_file()
    revisions = [p.name for p in (migrations / "versions").iterdir() if p.name[0].isdigit()]
    assert revisions, "no revision scripts found"


def test_postgresql_upgrade_and_downgrade_from_scratch(postgres_cluster: PostgresCluster) -> None:
    name = postgres_cluster.fresh_database_name("scratch")
    url = postgres_cluster.create_database(name)
    try:
        assert migrate.current_revision(url) is None
        migrate.upgrade(url)
        assert migrate.is_up_to_date(url)
        migrate.downgrade(url, "base")
        db = Database(url)
        try:
            assert set(inspect(db.engine).get_table_names()) == {"alembic_version"}
            with db.read() as session:
                leftovers = session.execute(
                    text("SELECT proname FROM pg_proc WHERE proname LIKE 'deskui%'")
                ).all()
            assert leftovers == []
        finally:
            db.dispose()
    finally:
        postgres_cluster.drop_database(name)
