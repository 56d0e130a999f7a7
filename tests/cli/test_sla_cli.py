"""`deskui sla due|elapsed|explain`: the exact output contract and every error path."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from deskui.cli import main

SAMPLE = str(Path(__file__).resolve().parents[2] / "sample_data")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def policy_due(policy: str, priority: str, clock: str, opened: str) -> list[str]:
    return ["due", "--policy", policy, "--priority", priority, "--clock", clock, "--opened", opened]


def sla(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    return run(capsys, "sla", *argv, "--data", SAMPLE)


# ---- due on a calendar -------------------------------------------------------------------


def test_due_prints_the_instant_alone(capsys) -> None:
    code, out, err = sla(
        capsys,
        "due",
        "--calendar",
        "velsoft-halifax",
        "--start",
        "2026-12-24T15:00",
        "--duration",
        "1d",
    )
    assert (code, out, err) == (0, "2026-12-28T15:00:00-04:00\n", "")


@pytest.mark.parametrize(
    ("calendar", "start", "duration", "due"),
    [
        ("itworks-et", "2026-12-21T15:00", "2h", "2026-12-21T17:00:00-05:00"),
        ("itworks-et", "2026-12-21T15:00:00-05:00", "1h30m", "2026-12-21T16:30:00-05:00"),
        # An offset in another zone is converted; the answer uses the calendar's offset.
        ("itworks-et", "2026-12-21T20:00:00Z", "2h", "2026-12-21T17:00:00-05:00"),
        ("keystone-england", "2026-08-28T16:00", "1d", "2026-09-01T16:00:00+01:00"),
        ("kenco-24x7", "2026-03-08T01:30", "1h", "2026-03-08T03:30:00-04:00"),
        ("kenco-24x7", "2026-03-07T12:00", "1d", "2026-03-08T13:00:00-04:00"),
    ],
)
def test_due_cases(capsys, calendar: str, start: str, duration: str, due: str) -> None:
    code, out, _ = sla(
        capsys, "due", "--calendar", calendar, "--start", start, "--duration", duration
    )
    assert (code, out) == (0, due + "\n")


def test_due_json(capsys) -> None:
    code, out, _ = sla(
        capsys,
        "due",
        "--calendar",
        "velsoft-halifax",
        "--start",
        "2026-12-24T15:00",
        "--duration",
        "1d",
        "--json",
    )
    assert code == 0
    payload = json.loads(out)
    assert payload["due"] == "2026-12-28T15:00:00-04:00"
    assert payload["business_seconds"] == 30600
    assert payload["calendar"] == "velsoft-halifax"
    assert payload["start"] == "2026-12-24T15:00:00-04:00"


# ---- due for a policy clock --------------------------------------------------------------


def test_due_for_policy_clock(capsys) -> None:
    code, out, _ = sla(
        capsys,
        "due",
        "--policy",
        "velsoft-support",
        "--priority",
        "high",
        "--clock",
        "resolution",
        "--opened",
        "2026-12-24T15:00",
    )
    assert (code, out) == (0, "2026-12-28T15:00:00-04:00\n")


def test_due_for_policy_clock_json_with_mapping(capsys) -> None:
    code, out, _ = sla(
        capsys,
        "due",
        "--policy",
        "velsoft-support",
        "--priority",
        "low",
        "--clock",
        "response",
        "--opened",
        "2026-12-24T15:00:00-04:00",
        "--json",
    )
    assert code == 0
    assert json.loads(out) == {
        "due": "2026-12-28T15:00:00-04:00",
        "policy": "velsoft-support",
        "priority": "medium",
        "requested_priority": "low",
        "clock": "response",
        "target": "1d",
        "calendar": "velsoft-halifax",
        "opened": "2026-12-24T15:00:00-04:00",
    }


def test_due_for_other_calendar_target(capsys) -> None:
    code, out, _ = sla(
        capsys,
        "due",
        "--policy",
        "kenco-wes",
        "--priority",
        "software-error",
        "--clock",
        "response",
        "--opened",
        "2026-12-19T23:30",
    )
    assert (code, out) == (0, "2026-12-20T00:30:00-05:00\n")


@pytest.mark.parametrize(
    ("policy", "priority", "clock", "text", "target"),
    [
        ("paritor-ensemble", "level-4", "resolution", "none", "none"),
        ("kenco-wes", "software-error", "resolution", "negotiated", "negotiated"),
    ],
)
def test_due_without_a_computed_target(
    capsys, policy: str, priority: str, clock: str, text: str, target: str
) -> None:
    argv = ["due", "--policy", policy, "--priority", priority, "--clock", clock]
    code, out, _ = sla(capsys, *argv, "--opened", "2026-12-21T10:00")
    assert (code, out) == (0, text + "\n")
    code, out, _ = sla(capsys, *argv, "--opened", "2026-12-21T10:00", "--json")
    payload = json.loads(out)
    assert payload["due"] is None
    assert payload["target"] == target


# ---- elapsed -----------------------------------------------------------------------------


def test_elapsed_prints_hours_and_minutes(capsys) -> None:
    # Mon 21 Dec 09:00 to Mon 28 Dec 09:00 on itworks-et: 4 days (Christmas off) = 32h;
    # on kenco-24x7 the same week is 168h.
    code, out, _ = sla(
        capsys,
        "elapsed",
        "--calendar",
        "itworks-et",
        "--start",
        "2026-12-21T09:00",
        "--end",
        "2026-12-28T09:00",
    )
    assert (code, out) == (0, "32h 0m\n")
    code, out, _ = sla(
        capsys,
        "elapsed",
        "--calendar",
        "velsoft-halifax",
        "--start",
        "2026-12-21T08:00",
        "--end",
        "2026-12-30T10:30",
    )
    # Mon-Thu 4 x 8h30m, Christmas, weekend, Mon-Tue 2 x 8h30m, Wed 2h30m = 53h30m.
    assert (code, out) == (0, "53h 30m\n")


def test_elapsed_44_hours_json(capsys) -> None:
    # kenco-business (9h days) from Mon 07:00 to the next Mon 13:00: 5 x 9h + 5h.
    code, out, _ = sla(
        capsys,
        "elapsed",
        "--calendar",
        "kenco-business",
        "--start",
        "2026-06-01T07:00",
        "--end",
        "2026-06-08T13:00",
        "--json",
    )
    assert code == 0
    payload = json.loads(out)
    assert payload["business_seconds"] == 50 * 3600
    assert payload["formatted"] == "50h 0m"
    code, out, _ = sla(
        capsys,
        "elapsed",
        "--calendar",
        "itworks-et",
        "--start",
        "2026-06-01T09:00",
        "--end",
        "2026-06-08T13:00",
    )
    assert out == "44h 0m\n"


def test_elapsed_backwards_is_negative(capsys) -> None:
    code, out, _ = sla(
        capsys,
        "elapsed",
        "--calendar",
        "itworks-et",
        "--start",
        "2026-06-01T12:00",
        "--end",
        "2026-06-01T10:30",
    )
    assert (code, out) == (0, "-1h 30m\n")


# ---- errors: one line naming the bad value, exit 2 ---------------------------------------


@pytest.mark.parametrize(
    ("argv", "named"),
    [
        (
            ["due", "--calendar", "velsoft", "--start", "2026-12-24T15:00", "--duration", "1d"],
            ["'velsoft'", "velsoft-halifax", "kenco-24x7"],
        ),
        (
            ["elapsed", "--calendar", "nope", "--start", "2026-12-24", "--end", "2026-12-25"],
            ["'nope'", "itworks-et"],
        ),
        (
            ["due", "--calendar", "itworks-et", "--start", "24/12/2026", "--duration", "1d"],
            ["'24/12/2026'", "--start"],
        ),
        (
            ["due", "--calendar", "itworks-et", "--start", "2026-12-24T15:00", "--duration", "1x"],
            ["'1x'", "duration"],
        ),
        (
            ["due", "--calendar", "itworks-et", "--start", "2026-12-24T15:00", "--duration", "0h"],
            ["'0h'"],
        ),
        (
            ["elapsed", "--calendar", "itworks-et", "--start", "2026-12-24", "--end", "soon"],
            ["'soon'", "--end"],
        ),
        (
            policy_due("velsoft", "high", "resolution", "2026-12-24T15:00"),
            ["'velsoft'", "velsoft-support", "paritor-ensemble"],
        ),
        (
            policy_due("velsoft-support", "urgent", "resolution", "2026-12-24T15:00"),
            ["'urgent'", "high", "medium", "low"],
        ),
        (
            policy_due("velsoft-support", "high", "fix", "2026-12-24T15:00"),
            ["'fix'", "acknowledgement", "response", "resolution"],
        ),
        (
            policy_due("velsoft-support", "high", "resolution", "yesterday"),
            ["'yesterday'", "--opened"],
        ),
        (
            ["due", "--calendar", "itworks-et", "--priority", "high"],
            ["--calendar", "--policy"],
        ),
    ],
)
def test_errors_are_one_line_naming_the_value(capsys, argv: list[str], named: list[str]) -> None:
    code, out, err = sla(capsys, *argv)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("deskui: ")
    for text in named:
        assert text in err


def test_missing_data_directory(capsys, tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    code, _, err = run(
        capsys,
        "sla",
        "elapsed",
        "--calendar",
        "x",
        "--start",
        "2026-01-01",
        "--end",
        "2026-01-02",
        "--data",
        str(missing),
    )
    assert code == 2
    assert str(missing) in err and err.count("\n") == 1


def test_global_options_work_after_the_subcommand(capsys, tmp_path: Path) -> None:
    config = tmp_path / "missing.toml"
    code, _, err = run(capsys, "sla", "explain", "DSK-000001", "--config", str(config))
    assert code == 2
    assert err.count("\n") == 1
