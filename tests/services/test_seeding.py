"""Seeding sample data into a database (SQLite and PostgreSQL): everything lands, in one
transaction, as an upsert; a bad directory writes nothing; on-call shifts follow the rota."""

from __future__ import annotations

import datetime as dt
import shutil
from collections import Counter
from itertools import pairwise
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from deskui.domain.catalog.errors import SampleDataError
from deskui.domain.ssh_keys import ssh_fingerprint
from deskui.domain.vocabulary import Category, Role, ShiftRole
from deskui.services.catalog.load import catalog_from_session, load_catalog_from_directory
from deskui.services.catalog.seeding import (
    KINDS,
    expand_rotation,
    seed_catalog,
    seed_directory,
)
from deskui.store import models
from deskui.store.models import Base
from deskui.store.session import Database

SAMPLE_DATA = Path(__file__).resolve().parents[2] / "sample_data"
NOW = dt.datetime(2026, 12, 1, 15, 0, tzinfo=dt.UTC)
# A throwaway key; `ssh-keygen -lf` prints this fingerprint for it.
KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHjS0q89Fh8ZPfzUEe+lvn3BYDgNHMox6HXjlCU3nlM/ lin@home"
KEY_FINGERPRINT = "SHA256:d0lLcBK4qigUX4BZKbb4eaJ3fQDlX0gEfOhI9S9wlsU"


def table_counts(database: Database) -> dict[str, int]:
    with database.read() as session:
        return {
            name: session.execute(select(func.count()).select_from(table)).scalar_one()
            for name, table in Base.metadata.tables.items()
        }


def count(database: Database, model: type) -> int:
    with database.read() as session:
        return session.execute(select(func.count()).select_from(model)).scalar_one()


def copy_sample(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(SAMPLE_DATA, target)
    return target


# ---- the shipped sample data -------------------------------------------------------------


def test_seeding_the_sample_data_writes_every_section(database: Database) -> None:
    catalog = load_catalog_from_directory(SAMPLE_DATA)
    summary = seed_directory(database, SAMPLE_DATA, now=NOW)

    assert count(database, models.Calendar) == 6
    assert count(database, models.SlaPolicy) == 5
    assert count(database, models.Team) == 5
    assert count(database, models.Product) == len(catalog.products) == 7
    assert count(database, models.Organisation) == len(catalog.organisations) == 12
    assert count(database, models.Agent) == len(catalog.agents) == 17
    contacts = sum(len(o.contacts) for o in catalog.organisations.values())
    assert count(database, models.Contact) == contacts == 20
    contracts = [c for o in catalog.organisations.values() for c in o.contracts]
    assert count(database, models.Contract) == len(contracts) == 13
    assert count(database, models.SlaPriority) == sum(
        len(p.priorities) for p in catalog.policies.values()
    )
    # IT Works 5 steps + 5a-5c, Kenco 5, Keystone 4, Velsoft 3, Paritor 2.
    assert count(database, models.TriageChecklist) == 5
    assert count(database, models.TriageStep) == 22
    assert count(database, models.OnCallRotation) == 1
    assert count(database, models.OnCallShift) == summary.written["oncall_shifts"] > 0
    assert summary.written["calendars"] == summary.created["calendars"] == 6
    assert summary.not_stored == {}
    assert count(database, models.RoutingRule) == summary.written["routing_rules"] == 17
    assert count(database, models.ModificationPlan) == summary.written["modification_plans"] == 1
    with database.read() as session:
        positions = session.scalars(
            select(models.RoutingRule.position).order_by(models.RoutingRule.position)
        ).all()
    assert positions == list(range(1, 18))

    today = NOW.date()
    with database.read() as session:
        expired = session.scalars(
            select(models.Contract.reference).where(models.Contract.active_to < today)
        ).all()
    assert sorted(expired) == sorted(
        c.reference for c in contracts if c.active_to is not None and c.active_to < today
    )
    assert "KEN-NWL-2023" in expired


def test_the_database_reads_back_as_the_catalog(database: Database) -> None:
    catalog = load_catalog_from_directory(SAMPLE_DATA)
    seed_catalog(database, catalog, now=NOW)
    with database.read() as session:
        stored = catalog_from_session(session)
    assert stored.desk == catalog.desk
    assert stored.calendars == catalog.calendars
    assert stored.policies == catalog.policies
    assert stored.teams == catalog.teams
    assert stored.products == catalog.products
    assert stored.organisations == catalog.organisations
    assert stored.triage_checklists == catalog.triage_checklists
    assert stored.oncall_rotations == catalog.oncall_rotations
    assert stored.routing_rules == catalog.routing_rules
    assert stored.modification_steps == catalog.modification_steps
    # Roles, teams and skills are sets in the database: compare them as sets.
    assert stored.agents.keys() == catalog.agents.keys()
    for handle, agent in catalog.agents.items():
        back = stored.agents[handle]
        assert (back.name, back.email, back.timezone, back.title) == (
            agent.name,
            agent.email,
            agent.timezone,
            agent.title,
        )
        assert set(back.roles) == set(agent.roles)
        assert set(back.teams) == set(agent.teams)
        assert set(back.skills.products) == set(agent.skills.products)
        assert set(back.skills.categories) == set(agent.skills.categories)


def test_triage_steps_keep_order_nesting_and_outcomes(database: Database) -> None:
    seed_directory(database, SAMPLE_DATA, now=NOW)
    with database.read() as session:
        checklist = session.scalars(
            select(models.TriageChecklist).where(models.TriageChecklist.slug == "itworks-triage")
        ).one()
        steps = [(s.key, s.parent_key, s.position) for s in checklist.steps]
        outcomes = {s.key: s.outcome for s in checklist.steps}
        assert checklist.policy_id is not None and checklist.team_id is None
    assert steps == [
        ("1", None, 0),
        ("2", None, 1),
        ("3", None, 2),
        ("4", None, 3),
        ("5", None, 4),
        ("5a", "5", 5),
        ("5b", "5", 6),
        ("5c", "5", 7),
    ]
    assert outcomes["5"] is None
    assert outcomes["5c"] == {"outcomes": [{"when": "a software bug", "start": "modification"}]}
    assert [o["reclassify"] for o in outcomes["1"]["outcomes"]] == ["training", "change-request"]


def test_people_links_are_stored(database: Database) -> None:
    seed_directory(database, SAMPLE_DATA, now=NOW)
    with database.read() as session:
        sandra = session.scalars(select(models.Agent).where(models.Agent.handle == "sokafor")).one()
        assert sandra.roles == {Role.AGENT, Role.SUPERVISOR, Role.APPROVER}
        assert {t.slug for t in sandra.teams} == {"itworks"}
        assert Category.CHANGE_REQUEST in sandra.category_skills
        assert len(sandra.product_skills) == 3
        riverside = session.scalars(
            select(models.Organisation).where(models.Organisation.slug == "riverside-university")
        ).one()
        assert riverside.project_manager is not None
        assert riverside.project_manager.handle == "kwalsh"
        (contract,) = riverside.contracts
        assert contract.policy.name == "itworks-standard"
        assert contract.team.slug == "itworks"
        assert {c.email for c in contract.liaisons} == {
            "h.marsh@riverside-university.example",
            "r.iyer@riverside-university.example",
        }
        desk = session.get(models.Desk, 1)
        assert desk is not None and desk.reference_prefix == "DSK"


# ---- idempotent upsert -------------------------------------------------------------------


def test_seeding_twice_changes_nothing(database: Database) -> None:
    seed_directory(database, SAMPLE_DATA, now=NOW)
    before = table_counts(database)
    with database.read() as session:
        ids = dict(session.execute(select(models.Agent.handle, models.Agent.id)).all())
    again = seed_directory(database, SAMPLE_DATA, now=NOW)
    after = table_counts(database)
    # One more change-feed event ("catalog-seeded"), nothing else.
    assert {k: v for k, v in after.items() if k != "event"} == {
        k: v for k, v in before.items() if k != "event"
    }
    assert after["event"] == before["event"] + 1
    assert again.created == dict.fromkeys(KINDS, 0)
    with database.read() as session:
        assert dict(session.execute(select(models.Agent.handle, models.Agent.id)).all()) == ids


def test_an_edited_directory_updates_in_place(database: Database, tmp_path: Path) -> None:
    seed_directory(database, SAMPLE_DATA, now=NOW)
    data = copy_sample(tmp_path)
    teams = data / "teams.yaml"
    teams.write_text(teams.read_text().replace("name: Keystone service desk", "name: Keystone"))
    agents = data / "agents.yaml"
    text_ = agents.read_text()
    # Sandra stops being an approver and gets an SSH key.
    text_ = text_.replace(
        "    roles: [agent, supervisor, approver]\n    teams: [itworks]",
        "    roles: [agent, supervisor]\n    teams: [itworks]",
    )
    text_ = text_.replace(
        "    title: Support Manager\n",
        "    title: Support Manager\n    ssh_keys: ['" + KEY + "']\n",
    ).replace("    ssh_keys: []\n  # The training specialist", "  # The training specialist")
    agents.write_text(text_)
    before = table_counts(database)

    summary = seed_directory(database, data, now=NOW)

    after = table_counts(database)
    assert after["team"] == before["team"]
    assert after["agent_role"] == before["agent_role"] - 1
    assert after["ssh_key"] == before["ssh_key"] + 1
    assert summary.created["ssh_keys"] == 1 and summary.created["teams"] == 0
    with database.read() as session:
        team = session.scalars(select(models.Team).where(models.Team.slug == "keystone")).one()
        assert team.name == "Keystone"
        sandra = session.scalars(select(models.Agent).where(models.Agent.handle == "sokafor")).one()
        assert sandra.roles == {Role.AGENT, Role.SUPERVISOR}
        (key,) = sandra.ssh_keys
        assert (key.key_type, key.fingerprint, key.comment) == (
            "ssh-ed25519",
            KEY_FINGERPRINT,
            "lin@home",
        )
    # The key stays when a later directory no longer lists it (keys are only ever added).
    seed_directory(database, SAMPLE_DATA, now=NOW)
    assert table_counts(database)["ssh_key"] == after["ssh_key"]


# ---- all or nothing ----------------------------------------------------------------------


def test_a_bad_directory_writes_nothing(database: Database, tmp_path: Path) -> None:
    data = copy_sample(tmp_path)
    policies = data / "policies.yaml"
    policies.write_text(
        policies.read_text().replace("calendar: itworks-et", "calendar: itworks-nowhere")
    )
    before = table_counts(database)
    with pytest.raises(SampleDataError) as caught:
        seed_directory(database, data, now=NOW)
    assert "policies.yaml" in str(caught.value)
    assert "itworks-nowhere" in str(caught.value)
    assert table_counts(database) == before


def test_a_failure_while_writing_rolls_everything_back(database: Database) -> None:
    catalog = load_catalog_from_directory(SAMPLE_DATA)
    # An agent the database cannot take (a handle longer than the column): it is refused
    # after the calendars, policies, teams and products were written.
    agent = next(iter(catalog.agents.values()))
    broken = agent.model_copy(update={"handle": "x" * 70})
    catalog = catalog.__class__(
        **{**catalog.__dict__, "agents": {**catalog.agents, broken.handle: broken}}
    )
    before = table_counts(database)
    if database.dialect == "sqlite":
        # SQLite does not enforce VARCHAR lengths: make the insert fail another way.
        with database.write() as session:
            session.execute(
                text(
                    "CREATE TRIGGER refuse_long_handle BEFORE INSERT ON agent "
                    "WHEN length(NEW.handle) > 64 BEGIN SELECT RAISE(ABORT, 'too long'); END"
                )
            )
    with pytest.raises(Exception, match=r"too long"):
        seed_catalog(database, catalog, now=NOW)
    assert table_counts(database) == before


# ---- on-call shifts ----------------------------------------------------------------------


def test_rotation_weeks_and_overrides() -> None:
    rotation = load_catalog_from_directory(SAMPLE_DATA).oncall_rotations["kenco-weekly"]
    shifts = expand_rotation(rotation, NOW)
    for role in ShiftRole:
        mine = [s for s in shifts if s.role is role]
        # Back to back, no gaps or overlaps, across the whole window.
        assert all(a.ends_at == b.starts_at for a, b in pairwise(mine))
        assert mine[0].starts_at <= NOW - dt.timedelta(weeks=8)
        assert mine[-1].ends_at >= NOW + dt.timedelta(weeks=26)
    week = {(s.starts_at, s.role): s.agent for s in shifts if s.reason is None}
    # Week 47 from 2026-01-05 (Mon 23 Nov, 09:00 New York = 14:00 UTC): agents[47 % 3].
    monday = dt.datetime(2026, 11, 23, 14, 0, tzinfo=dt.UTC)
    assert week[(monday, ShiftRole.PRIMARY)] == "lchen"
    assert week[(monday, ShiftRole.SECONDARY)] == "jmorales"
    swap = [s for s in shifts if s.reason == "Swap agreed by Dev and Jorge"]
    assert {(s.role, s.agent) for s in swap} == {
        (ShiftRole.PRIMARY, "jmorales"),
        (ShiftRole.SECONDARY, "dpatel"),
    }
    assert all(s.starts_at == dt.datetime(2026, 12, 21, 14, tzinfo=dt.UTC) for s in swap)
    thanksgiving = [s for s in shifts if s.reason == "Thanksgiving cover"]
    # 17:00 New York on Wednesday 25 November is 22:00 UTC.
    assert {s.starts_at for s in thanksgiving} == {dt.datetime(2026, 11, 25, 22, tzinfo=dt.UTC)}
    # Across the DST change (1 November) handovers stay at 09:00 local time.
    starts = Counter(s.starts_at.astimezone(dt.UTC).hour for s in shifts if s.reason is None)
    assert set(starts) == {13, 14}


def test_shifts_are_replaced_from_the_window_on_when_seeded_later(database: Database) -> None:
    seed_directory(database, SAMPLE_DATA, now=NOW)
    with database.read() as session:
        first = session.execute(select(func.min(models.OnCallShift.starts_at))).scalar_one()
    later = NOW + dt.timedelta(weeks=3)
    seed_directory(database, SAMPLE_DATA, now=later)
    with database.read() as session:
        rows = session.execute(
            select(
                models.OnCallShift.role, models.OnCallShift.starts_at, models.OnCallShift.ends_at
            ).order_by(models.OnCallShift.starts_at)
        ).all()
    assert rows[0].starts_at == first  # history before the new window is kept
    for role in ShiftRole:
        mine = [r for r in rows if r.role == role]
        assert all(a.ends_at == b.starts_at for a, b in pairwise(mine))
    assert rows[-1].ends_at >= later + dt.timedelta(weeks=26)


def test_ssh_fingerprint_matches_openssh() -> None:
    assert ssh_fingerprint(KEY.split()[1]) == KEY_FINGERPRINT
    with pytest.raises(ValueError, match="base64"):
        ssh_fingerprint("not base64!")
