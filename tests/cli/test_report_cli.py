"""``deskui report sla`` through ``deskui.cli.main`` on a SQLite file holding the hand-worked
dataset of tests/services/test_reports.py: the stable JSON keys and figures, CSV, the table,
and bad input (one line on stderr, exit code 2)."""

from __future__ import annotations

import csv
import io
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from test_reports import NOW, build_dataset
from ticket_fixtures import *  # noqa: F403 - the seeded-database fixtures

from deskui.cli import main
from deskui.store.session import Database

Cli = Callable[..., tuple[int, str, str]]
PERIOD = ("--from", "2026-02-02", "--to", "2026-02-20")

JSON_KEYS = [
    "group",
    "opened",
    "resolved",
    *(
        f"{clock}_{figure}"
        for clock in ("ack", "response", "resolution")
        for figure in (
            "met",
            "breached",
            "running",
            "no_target",
            "compliance_pct",
            "median_seconds",
            "p90_seconds",
        )
    ),
    "breach_reasons",
    "feedback_count",
    "feedback_mean",
]


@pytest.fixture(scope="module")
def report_file(seeded_sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("report") / "desk.db"
    shutil.copyfile(seeded_sqlite_template, path)
    database = Database(f"sqlite:///{path}")
    try:
        build_dataset(database)
    finally:
        database.dispose()
    return path


@pytest.fixture
def cli(report_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch) -> Cli:
    """Run ``deskui report sla ARGS --db …`` at the dataset's NOW; (code, stdout, stderr)."""
    path = tmp_path / "desk.db"
    shutil.copyfile(report_file, path)
    config = tmp_path / "config.toml"
    config.write_text("", encoding="utf-8")
    monkeypatch.setenv("DESKUI_NOW", NOW.isoformat())

    def run(*argv: str, db: str | None = None) -> tuple[int, str, str]:
        url = db or f"sqlite:///{path}"
        code = main(["report", "sla", *argv, "--db", url, "--config", str(config)])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_json_has_the_documented_keys_and_the_hand_worked_figures(cli: Cli) -> None:
    code, out, err = cli(*PERIOD, "--format", "json")
    assert (code, err) == (0, "")
    [row] = json.loads(out)
    assert list(row) == JSON_KEYS
    assert row == {
        "group": "all",
        "opened": 6,
        "resolved": 2,
        "ack_met": 3,
        "ack_breached": 2,
        "ack_running": 1,
        "ack_no_target": 0,
        "ack_compliance_pct": 60.0,
        "ack_median_seconds": 1200,
        "ack_p90_seconds": 1800,
        "response_met": 4,
        "response_breached": 1,
        "response_running": 1,
        "response_no_target": 0,
        "response_compliance_pct": 80.0,
        "response_median_seconds": 3600,
        "response_p90_seconds": 5400,
        "resolution_met": 2,
        "resolution_breached": 2,
        "resolution_running": 2,
        "resolution_no_target": 0,
        "resolution_compliance_pct": 50.0,
        "resolution_median_seconds": 21600,
        "resolution_p90_seconds": 21600,
        "breach_reasons": {"Late pickup": 1},
        "feedback_count": 2,
        "feedback_mean": 4.5,
    }


def test_json_grouped_by_priority_lists_each_group(cli: Cli) -> None:
    code, out, _ = cli(*PERIOD, "--by", "priority", "--format", "json")
    rows = json.loads(out)
    assert code == 0
    assert [(r["group"], r["opened"], r["ack_breached"]) for r in rows] == [
        ("high", 5, 1),
        ("medium", 1, 1),
    ]
    assert rows[1]["response_compliance_pct"] == 0.0
    assert rows[1]["response_median_seconds"] is None
    assert rows[1]["feedback_mean"] is None


def test_csv_has_the_json_columns(cli: Cli) -> None:
    code, out, _ = cli(*PERIOD, "--by", "agent", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0
    assert list(rows[0]) == JSON_KEYS
    assert [(r["group"], r["opened"], r["breach_reasons"]) for r in rows] == [
        ("(none)", "2", ""),
        ("cmacdonald", "4", "Late pickup=1"),
    ]


def test_the_table_shows_each_clock(cli: Cli) -> None:
    code, out, _ = cli(*PERIOD)
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "all: opened 6, resolved 2, feedback 2 (mean 4.50)"
    ack = ["acknowledgement", "3", "2", "1", "0", "60.0%", "20m", "30m"]  # the app's style
    assert lines[2].split() == ack
    assert lines[4].split()[:6] == ["resolution", "2", "2", "2", "0", "50.0%"]
    assert "  breach reason (1): Late pickup" in lines


def test_an_empty_period_says_so(cli: Cli) -> None:
    assert cli("--from", "2025-01-01", "--to", "2025-01-31") == (
        0,
        "no tickets opened in the period\n",
        "",
    )
    code, out, _ = cli("--from", "2025-01-01", "--to", "2025-01-31", "--format", "json")
    assert (code, json.loads(out)) == (0, [])


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("--from", "2026-02-30", "--to", "2026-03-01"), "--from: bad date '2026-02-30'"),
        (("--from", "2026-02-02", "--to", "soon"), "--to: bad date 'soon'"),
        (("--from", "2026-02-20", "--to", "2026-02-02"), "--from 2026-02-20 is after --to"),
        ((*PERIOD, "--by", "team"), "--by: unknown grouping 'team'"),
        ((*PERIOD, "--format", "xml"), "--format: unknown format 'xml'"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(cli: Cli, argv: tuple[str, ...], message: str) -> None:
    code, out, err = cli(*argv)
    assert (code, out) == (2, "")
    assert err.startswith(f"deskui: {message}")
    assert err.count("\n") == 1


def test_a_database_without_a_schema_is_one_line(cli: Cli, tmp_path: Path) -> None:
    code, _, err = cli(*PERIOD, db=f"sqlite:///{tmp_path / 'empty.db'}")
    assert code == 2
    assert err.startswith("deskui: the database has no deskui schema yet")
    assert err.count("\n") == 1


def test_report_days_end_at_the_readers_midnight_not_utcs(
    report_file: Path, tmp_path: Path, cli: Cli, monkeypatch
) -> None:
    """A ticket opened 04:30 UTC on Fri 20 Feb is Thu 19 Feb in New York (the desk's zone,
    the fallback) and Fri 20 Feb in London (gharris's zone, given with --as)."""
    import datetime as dt

    from test_reports import _open

    monkeypatch.delenv("DESKUI_AGENT", raising=False)
    path = tmp_path / "late.db"
    shutil.copyfile(report_file, path)
    url = f"sqlite:///{path}"

    def opened(day: str, *who: str) -> int:
        code, out, err = cli("--from", day, "--to", day, "--format", "json", *who, db=url)
        assert (code, err) == (0, ""), err
        return sum(row["opened"] for row in json.loads(out))

    before = {day: opened(day) for day in ("2026-02-19", "2026-02-20")}
    london_before = opened("2026-02-20", "--as", "gharris")
    database = Database(url)
    try:
        _open(database, dt.datetime(2026, 2, 20, 4, 30, tzinfo=dt.UTC))
    finally:
        database.dispose()
    assert opened("2026-02-19") == before["2026-02-19"] + 1
    assert opened("2026-02-20") == before["2026-02-20"]
    assert opened("2026-02-20", "--as", "gharris") == london_before + 1
