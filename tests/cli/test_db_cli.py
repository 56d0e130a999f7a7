"""`deskui db upgrade | seed | generate`: output, exit codes, and a bad sample-data directory
leaving the database exactly as it was (SQLite and PostgreSQL)."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from pg import PostgresCluster
from sqlalchemy import func, select

from deskui.cli import main
from deskui.store import models
from deskui.store.migrate import current_revision, head_revision
from deskui.store.models import Base
from deskui.store.session import Database

SAMPLE_DATA = Path(__file__).resolve().parents[2] / "sample_data"
NOW = "2026-12-01T10:00:00-05:00"


@pytest.fixture(autouse=True)
def frozen_now(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DESKUI_NOW", NOW)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def table_counts(url: str) -> dict[str, int]:
    database = Database(url)
    try:
        with database.read() as session:
            return {
                name: session.execute(select(func.count()).select_from(table)).scalar_one()
                for name, table in Base.metadata.tables.items()
            }
    finally:
        database.dispose()


def broken_copy(tmp_path: Path) -> Path:
    """The sample data with a policy on a calendar that does not exist."""
    data = tmp_path / "broken"
    shutil.copytree(SAMPLE_DATA, data)
    policies = data / "policies.yaml"
    lines = policies.read_text().splitlines(keepends=True)
    index = next(i for i, line in enumerate(lines) if "calendar: keystone-england" in line)
    lines[index] = lines[index].replace("keystone-england", "keystone-nowhere")
    policies.write_text("".join(lines))
    return data


# ---- upgrade -----------------------------------------------------------------------------


def test_upgrade_an_empty_sqlite_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "empty.db"
    path.touch()
    url = f"sqlite:///{path}"
    code, out, err = run(capsys, "--db", url, "db", "upgrade")
    assert (code, err) == (0, "")
    assert out == f"{url}: upgraded to revision {head_revision()} (head)\n"
    assert current_revision(url) == head_revision()
    # Again, with --db after the sub-command: nothing to do.
    code, out, _ = run(capsys, "db", "upgrade", "--db", url)
    assert code == 0 and "already at revision" in out


def test_upgrade_postgresql(
    capsys: pytest.CaptureFixture[str], postgres_cluster: PostgresCluster
) -> None:
    name = postgres_cluster.fresh_database_name("cli_upgrade")
    url = postgres_cluster.create_database(name)
    try:
        assert current_revision(url) is None
        code, out, err = run(capsys, "db", "upgrade", "--db", url)
        assert (code, err) == (0, "")
        assert f"upgraded to revision {head_revision()}" in out
        assert current_revision(url) == head_revision()
    finally:
        postgres_cluster.drop_database(name)


def test_upgrade_refuses_an_unknown_database_kind(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "db", "upgrade", "--db", "mysql://someone@host/desk")
    assert (code, out) == (2, "")
    assert err.startswith("deskui: bad database URL") and err.count("\n") == 1


# ---- seed --------------------------------------------------------------------------------


def test_seed_prints_a_summary_and_is_idempotent(
    capsys: pytest.CaptureFixture[str], db_url: str
) -> None:
    code, out, err = run(capsys, "db", "seed", str(SAMPLE_DATA), "--db", db_url)
    assert (code, err) == (0, "")
    assert re.search(r"calendars\s+6\s+\(6 new\)", out)
    assert re.search(r"policies\s+5\s+\(5 new\)", out)
    assert re.search(r"teams\s+5\s+\(5 new\)", out)
    assert re.search(r"routing rules\s+17\s+\(17 new\)", out) and "not stored" not in out
    before = table_counts(db_url)
    code, out, _ = run(capsys, "db", "seed", str(SAMPLE_DATA), "--db", db_url)
    assert code == 0 and re.search(r"calendars\s+6\s+\(0 new\)", out)
    after = table_counts(db_url)
    assert after.pop("event") == before.pop("event") + 1
    assert after == before


def test_seed_migrates_a_new_sqlite_database_first(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'deep' / 'new.db'}"
    code, out, err = run(capsys, "--db", url, "db", "seed", str(SAMPLE_DATA))
    assert code == 0 and out.startswith(f"seeded {url}:")
    assert f"migrated {url} to revision {head_revision()}" in err
    assert table_counts(url)["calendar"] == 6


@pytest.mark.parametrize("seeded_first", [False, True], ids=["empty", "seeded"])
def test_a_broken_directory_exits_2_and_changes_nothing(
    capsys: pytest.CaptureFixture[str], db_url: str, tmp_path: Path, seeded_first: bool
) -> None:
    if seeded_first:
        assert run(capsys, "db", "seed", str(SAMPLE_DATA), "--db", db_url)[0] == 0
    data = broken_copy(tmp_path)
    before = table_counts(db_url)
    code, out, err = run(capsys, "db", "seed", str(data), "--db", db_url)
    assert (code, out) == (2, "")
    lines = err.splitlines()
    # One line per problem naming file, line and field, then the verdict.
    problem = f"{data / 'policies.yaml'}:"
    assert any(
        line.startswith(problem)
        and re.match(rf"{re.escape(problem)}\d+: policies\[2\]\.calendar: ", line)
        and "keystone-nowhere" in line
        for line in lines
    ), err
    assert lines[-1] == (
        f"deskui: {data}: {len(lines) - 1} problem{'s' if len(lines) > 2 else ''} found; "
        "nothing was written to the database"
    )
    assert table_counts(db_url) == before


def test_seed_a_missing_directory(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'x.db'}"
    code, _, err = run(capsys, "db", "seed", str(tmp_path / "nowhere"), "--db", url)
    assert code == 2
    assert "not a directory" in err
    assert not (tmp_path / "x.db").exists()


# ---- generate ----------------------------------------------------------------------------


@pytest.fixture
def sqlite_url(tmp_path: Path) -> Iterator[str]:
    yield f"sqlite:///{tmp_path / 'desk.db'}"


def test_generate_with_data_on_a_new_database(
    capsys: pytest.CaptureFixture[str], sqlite_url: str
) -> None:
    code, out, err = run(
        capsys,
        "db",
        "generate",
        "--tickets",
        "300",
        "--open-fraction",
        "0.2",
        "--seed",
        "5",
        "--data",
        str(SAMPLE_DATA),
        "--db",
        sqlite_url,
    )
    assert code == 0, err
    assert "generated 300 tickets (DSK-000001 to DSK-000300), 60 open" in out
    assert "300/300 tickets (100%)" in err
    counts = table_counts(sqlite_url)
    assert counts["ticket"] == 300 and counts["calendar"] == 6


def test_generate_into_a_seeded_database(capsys: pytest.CaptureFixture[str], db_url: str) -> None:
    assert run(capsys, "db", "seed", str(SAMPLE_DATA), "--db", db_url)[0] == 0
    code, out, _ = run(capsys, "db", "generate", "--tickets", "120", "--db", db_url)
    assert code == 0
    code, out, _ = run(capsys, "db", "generate", "--tickets", "10", "--db", db_url)
    assert code == 0 and "(DSK-000121 to DSK-000130)" in out
    database = Database(db_url)
    try:
        with database.read() as session:
            count = session.execute(select(func.count()).select_from(models.Ticket)).scalar_one()
    finally:
        database.dispose()
    assert count == 130


def test_generate_needs_a_seeded_database(
    capsys: pytest.CaptureFixture[str], db_url: str, tmp_path: Path
) -> None:
    code, out, err = run(capsys, "db", "generate", "--tickets", "5", "--db", db_url)
    assert (code, out) == (2, "")
    assert "deskui db seed" in err
    fresh = f"sqlite:///{tmp_path / 'fresh.db'}"
    code, _, err = run(capsys, "db", "generate", "--tickets", "5", "--db", fresh)
    assert code == 2 and "no deskui schema" in err


@pytest.mark.parametrize(
    ("arguments", "named"),
    [
        (["--tickets", "-3"], "--tickets must be at least 0, not '-3'"),
        (["--tickets", "many"], "--tickets 'many' is not a whole number"),
        (["--tickets", "3", "--open-fraction", "1.5"], "--open-fraction '1.5' is not between 0"),
        ([], "the following arguments are required: --tickets"),
    ],
)
def test_generate_argument_errors(
    capsys: pytest.CaptureFixture[str], sqlite_url: str, arguments: list[str], named: str
) -> None:
    # A bad value is returned as exit code 2 like every bad input; a usage error exits 2.
    try:
        code = main(["db", "generate", *arguments, "--db", sqlite_url])
    except SystemExit as exited:
        code = exited.code
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("deskui: ") and err.count("\n") == 1 and named in err, err


def test_generate_reports_a_bad_data_directory(
    capsys: pytest.CaptureFixture[str], sqlite_url: str, tmp_path: Path
) -> None:
    data = broken_copy(tmp_path)
    code, _, err = run(
        capsys, "db", "generate", "--tickets", "5", "--data", str(data), "--db", sqlite_url
    )
    assert code == 2
    assert "keystone-nowhere" in err and "nothing was written" in err
