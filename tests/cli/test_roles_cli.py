"""Roles through ``deskui.cli.main`` (both backends): ``agent add-key|remove-key --as`` and
``db seed --as`` need an admin (a refusal is one line, exit 3, nothing written, and it is in
the trail), no ``--as`` is the system, and ``deskui audit refusals [--json]`` lists the trail.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from deskui.cli import main
from deskui.services.access.keys import list_keys
from deskui.services.catalog.seeding import seed_directory
from deskui.store.session import Database

SAMPLE_DATA = Path(__file__).resolve().parents[2] / "sample_data"
NOW = "2026-11-23T15:00:00+00:00"
KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHjS0q89Fh8ZPfzUEe+lvn3BYDgNHMox6HXjlCU3nlM/ lin@home"
FINGERPRINT = "SHA256:d0lLcBK4qigUX4BZKbb4eaJ3fQDlX0gEfOhI9S9wlsU"
ADMIN, AGENT = "amorgan", "dpatel"
REFUSAL_KEYS = {"at", "actor", "action", "target", "reason"}

Cli = Callable[..., tuple[int, str, str]]


@pytest.fixture
def database(db_url: str) -> Iterator[Database]:
    database = Database(db_url)
    try:
        seed_directory(database, SAMPLE_DATA, now=dt.datetime.fromisoformat(NOW))
        yield database
    finally:
        database.dispose()


@pytest.fixture
def cli(
    database: Database,
    db_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> Cli:
    config = tmp_path / "config.toml"
    config.write_text("", encoding="utf-8")
    monkeypatch.setenv("DESKUI_NOW", NOW)

    def run(*argv: str) -> tuple[int, str, str]:
        code = main([*argv, "--db", db_url, "--config", str(config)])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def fingerprints(database: Database) -> list[str]:
    return [key.fingerprint for key in list_keys(database)]


def test_keys_need_an_admin_when_someone_is_named(
    cli: Cli, database: Database, tmp_path: Path
) -> None:
    keyfile = tmp_path / "lin.pub"
    keyfile.write_text(KEY + "\n", encoding="utf-8")

    code, out, err = cli("agent", "add-key", "lchen", str(keyfile), "--as", AGENT)
    assert code == 3 and out == ""
    assert err.strip() == (
        f"deskui: {AGENT} may not manage SSH keys on lchen: that needs the admin role "
        f"({AGENT} has: agent)"
    )
    assert len(err.strip().splitlines()) == 1
    assert FINGERPRINT not in fingerprints(database)

    code, _, err = cli("agent", "add-key", "lchen", str(keyfile), "--as", "nobody")
    assert code == 2 and "unknown agent 'nobody'" in err

    assert cli("agent", "add-key", "lchen", str(keyfile), "--as", ADMIN)[0] == 0
    assert FINGERPRINT in fingerprints(database)
    code, _, err = cli("agent", "remove-key", "lchen", FINGERPRINT, "--as", AGENT)
    assert code == 3 and "may not manage SSH keys" in err
    assert FINGERPRINT in fingerprints(database)
    assert cli("agent", "remove-key", "lchen", FINGERPRINT)[0] == 0  # the system
    assert FINGERPRINT not in fingerprints(database)

    code, out, _ = cli("audit", "refusals", "--json")
    assert code == 0
    trail = json.loads(out)
    assert [set(row) for row in trail] == [REFUSAL_KEYS, REFUSAL_KEYS]
    assert [(r["actor"], r["action"], r["target"]) for r in trail] == [
        (AGENT, "manage SSH keys", "lchen"),
        (AGENT, "manage SSH keys", "lchen"),
    ]
    code, out, _ = cli("audit", "refusals", "--agent", ADMIN)
    assert (code, out) == (0, "")
    code, out, _ = cli("audit", "refusals", "--limit", "1")
    assert code == 0 and len(out.splitlines()) == 1
    assert out.split("\t")[1:4] == [AGENT, "manage SSH keys", "lchen"]


def test_seeding_as_someone_needs_an_admin(cli: Cli) -> None:
    code, out, err = cli("db", "seed", str(SAMPLE_DATA), "--as", AGENT)
    assert code == 3 and out == ""
    assert "may not seed the catalog: that needs the admin role" in err
    code, out, _ = cli("db", "seed", str(SAMPLE_DATA), "--as", ADMIN)
    assert code == 0 and out.startswith("seeded")
    code, _, err = cli("db", "seed", str(SAMPLE_DATA), "--as", "nobody")
    assert code == 2 and "--as: unknown agent 'nobody'" in err
    code, out, _ = cli("audit", "refusals", "--json")
    assert [(r["actor"], r["action"]) for r in json.loads(out)] == [(AGENT, "seed the catalog")]


def test_audit_refusals_bad_limit_is_one_line(cli: Cli) -> None:
    code, out, err = cli("audit", "refusals", "--limit", "0")
    assert (code, out) == (2, "")
    assert err == "deskui: --limit must be at least 1, not '0'\n"
