"""`deskui agent web-login` and the web sign-in secrets behind it, on a seeded database (SQLite
and PostgreSQL): a secret is printed once and stored only hashed, re-issuing replaces it,
retired agents and wrong secrets sign no one in, refusals land in the audit trail."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select, update

from deskui.cli import main
from deskui.services.access.web_login import (
    SIGN_IN_ACTION,
    check_web_login,
    hash_secret,
    record_sign_in_refusal,
    secret_matches,
)
from deskui.services.authorization import list_refusals
from deskui.services.catalog.seeding import seed_directory
from deskui.store.models import Agent, WebLogin
from deskui.store.session import Database

SAMPLE_DATA = Path(__file__).resolve().parents[2] / "sample_data"
NOW = dt.datetime.fromisoformat("2026-11-23T15:00:00+00:00")


@pytest.fixture
def database(db_url: str) -> Iterator[Database]:
    database = Database(db_url)
    try:
        seed_directory(database, SAMPLE_DATA, now=NOW)
        yield database
    finally:
        database.dispose()


def web_login(capsys: pytest.CaptureFixture[str], db_url: str, *argv: str) -> tuple[int, str, str]:
    code = main(["agent", "web-login", *argv, "--db", db_url])
    out, err = capsys.readouterr()
    return code, out, err


def test_a_secret_is_printed_once_stored_hashed_and_signs_the_agent_in(
    database: Database, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = web_login(capsys, db_url, "lchen")
    assert code == 0, err
    secret = out.strip()
    assert len(secret) >= 20
    assert "shown only now" in err
    with database.read() as session:
        stored = session.scalars(select(WebLogin.secret_hash)).one()
    assert secret not in stored
    assert stored.startswith("scrypt$")
    agent = check_web_login(database, "lchen", secret)
    assert agent is not None
    assert (agent.handle, agent.name) == ("lchen", "Lin Chen")
    assert check_web_login(database, "lchen", secret + "x") is None
    assert check_web_login(database, "jmorales", secret) is None
    assert check_web_login(database, "nobody", secret) is None


def test_issuing_again_replaces_the_secret_and_revoke_removes_it(
    database: Database, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    first = web_login(capsys, db_url, "lchen")[1].strip()
    second = web_login(capsys, db_url, "lchen")[1].strip()
    assert first != second
    assert check_web_login(database, "lchen", first) is None
    assert check_web_login(database, "lchen", second) is not None
    code, out, _err = web_login(capsys, db_url, "lchen", "--revoke")
    assert code == 0
    assert "revoked" in out
    assert check_web_login(database, "lchen", second) is None


def test_a_retired_agent_signs_in_no_more(
    database: Database, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = web_login(capsys, db_url, "lchen")[1].strip()
    with database.write() as session:
        session.execute(update(Agent).where(Agent.handle == "lchen").values(active=False))
    assert check_web_login(database, "lchen", secret) is None


def test_bad_input_is_one_line_exit_2_and_a_non_admin_is_refused(
    database: Database, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = web_login(capsys, db_url, "nobody")
    assert (code, out) == (2, "")
    assert "unknown agent 'nobody'" in err
    assert err.count("\n") == 1
    code, out, err = web_login(capsys, db_url, "jmorales", "--as", "lchen")
    assert code == 3, err
    assert out == ""
    with database.read() as session:
        assert session.scalars(select(WebLogin)).all() == []


def test_refused_sign_ins_are_audited(database: Database) -> None:
    record_sign_in_refusal(
        database, handle="lchen", remote="127.0.0.1", reason="wrong handle or secret", at=NOW
    )
    record_sign_in_refusal(database, handle="x" * 500, remote="10.0.0.9", reason="r", at=NOW)
    refusals = list_refusals(database)
    assert {r.action for r in refusals} == {SIGN_IN_ACTION}
    lchen = list_refusals(database, actor="lchen")
    assert [(r.target, r.reason) for r in lchen] == [("from 127.0.0.1", "wrong handle or secret")]


def test_a_damaged_hash_matches_nothing() -> None:
    stored = hash_secret("s3cret")
    assert secret_matches("s3cret", stored)
    assert not secret_matches("s3cret", stored[:-6])
    assert not secret_matches("s3cret", "plain")
    assert not secret_matches("s3cret", stored.replace("scrypt", "md5"))
