"""`deskui report sla`: SLA statistics per group for the tickets opened in a period.

``--from`` and ``--to`` are calendar dates in the agent's time zone (``--as`` or
``DESKUI_AGENT``; else the desk's), both included, cut at that zone's midnight as the reports
screen cuts them. Durations in the table read as in the app (``2d 04h``). ``--format json``
prints a list
of objects whose keys are listed in the README ("Reports"); scripts may rely on them. Bad input
(a bad date, ``--from`` after ``--to``, an unknown ``--by`` or ``--format``) is one line on
stderr, exit code 2.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
from typing import Any

from deskui.cli import arguments
from deskui.cli.common import (
    CommandError,
    command_group,
    desk,
    global_options_parent,
    reader_zone,
)
from deskui.domain.display import duration, local_day_range
from deskui.domain.sla.clock_info import CLOCK_INFO
from deskui.domain.sla.policy import CLOCKS
from deskui.domain.untrusted import one_line
from deskui.services.supervision.reports import GROUPINGS, GroupFigures, sla_report

FORMATS = ("table", "csv", "json")


def register(commands: Any) -> None:
    """Add ``report sla`` to the ``deskui`` parser."""
    actions = command_group(
        commands,
        "report",
        help="SLA statistics",
        description="Reports over the tickets in the database.",
        metavar="REPORT",
    )
    sla = actions.add_parser(
        "sla",
        parents=[global_options_parent()],
        help="SLA compliance and business response times per group",
        description=(
            "Tickets opened from --from to --to (dates in the agent's time zone, else the "
            "desk's; both included), per group: opened, "
            "resolved, met/breached/running per clock, compliance, median and 90th percentile "
            "business times, breach reasons and feedback."
        ),
    )
    sla.add_argument(
        "--from",
        dest="first",
        required=True,
        metavar="DATE",
        type=arguments.date,
        help=f"first day, YYYY-MM-DD ({arguments.SUPPORTED})",
    )
    sla.add_argument(
        "--to",
        dest="last",
        required=True,
        metavar="DATE",
        type=arguments.date,
        help=f"last day, YYYY-MM-DD ({arguments.SUPPORTED})",
    )
    sla.add_argument(
        "--as",
        dest="actor",
        default=None,
        metavar="HANDLE",
        help="read the dates in this agent's time zone (default DESKUI_AGENT, else the desk's)",
    )
    sla.add_argument("--by", default=None, help=f"group by one of {', '.join(GROUPINGS)}")
    sla.add_argument("--format", default="table", help=f"one of {', '.join(FORMATS)}")
    sla.set_defaults(handler=run_sla)


def run_sla(args: argparse.Namespace) -> int:
    first, last = args.first, args.last
    if first > last:
        raise CommandError(f"--from {first.isoformat()} is after --to {last.isoformat()}")
    if args.by is not None and args.by not in GROUPINGS:
        raise CommandError(f"--by: unknown grouping {args.by!r} (known: {', '.join(GROUPINGS)})")
    if args.format not in FORMATS:
        raise CommandError(
            f"--format: unknown format {args.format!r} (known: {', '.join(FORMATS)})"
        )
    with desk(args) as actor:
        # The period's days end at midnight where the reader is, not at UTC midnight.
        start, end = local_day_range(first, last, reader_zone(args, actor))
        figures = sla_report(actor.database, start=start, end=end, now=actor.now(), by=args.by)
    rows = [group_json(group) for group in figures]
    if args.format == "json":
        print(json.dumps(rows, indent=2))
    elif args.format == "csv":
        print(report_csv(rows), end="")
    else:
        print(report_table(figures), end="")
    return 0


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def group_json(group: GroupFigures) -> dict[str, Any]:
    """One group as the flat JSON object documented in the README."""
    row: dict[str, Any] = {
        "group": group.group,
        "opened": group.opened,
        "resolved": group.resolved,
    }
    for clock in CLOCKS:
        # The clock's key names JSON and CSV fields ("ack_met", "response_p90_seconds", ...).
        key, figures = CLOCK_INFO[clock].key, group.clocks[clock]
        row[f"{key}_met"] = figures.met
        row[f"{key}_breached"] = figures.breached
        row[f"{key}_running"] = figures.running
        row[f"{key}_no_target"] = figures.no_target
        row[f"{key}_compliance_pct"] = _round(figures.compliance)
        row[f"{key}_median_seconds"] = figures.median_seconds
        row[f"{key}_p90_seconds"] = figures.p90_seconds
    row["breach_reasons"] = dict(group.breach_reasons)
    row["feedback_count"] = group.feedback_count
    row["feedback_mean"] = None if group.feedback_mean is None else round(group.feedback_mean, 2)
    return row


def report_csv(rows: list[dict[str, Any]]) -> str:
    """The JSON rows as CSV (same column names); breach reasons as ``reason=count; ...``."""
    out = io.StringIO()
    fields = list(rows[0]) if rows else list(group_json(_EMPTY))
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        reasons = "; ".join(f"{k}={v}" for k, v in row["breach_reasons"].items())
        writer.writerow({**row, "breach_reasons": reasons})
    return out.getvalue()


_EMPTY = GroupFigures(group="", opened=0, resolved=0, clocks={})


def _time(seconds: int | None) -> str:
    return "-" if seconds is None else duration(seconds)


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}%"


def report_table(figures: list[GroupFigures]) -> str:
    """A plain-text table: one block per group, one line per clock."""
    if not figures:
        return "no tickets opened in the period\n"
    lines: list[str] = []
    header = (
        f"  {'clock':<16}{'met':>7}{'breach':>7}{'run':>7}{'none':>7}{'compl':>8}"
        f"{'median':>10}{'p90':>10}"
    )
    for group in figures:
        feedback = (
            f", feedback {group.feedback_count} (mean {group.feedback_mean:.2f})"
            if group.feedback_mean is not None
            else ""
        )
        lines.append(f"{group.group}: opened {group.opened}, resolved {group.resolved}{feedback}")
        lines.append(header)
        for clock in CLOCKS:
            c = group.clocks[clock]
            lines.append(
                f"  {clock.value:<16}{c.met:>7}{c.breached:>7}{c.running:>7}{c.no_target:>7}"
                f"{_pct(c.compliance):>8}{_time(c.median_seconds):>10}{_time(c.p90_seconds):>10}"
            )
        for reason, count in group.breach_reasons.items():
            # Agents typed the reason: never let it drive the terminal.
            lines.append(f"  breach reason ({count}): {one_line(reason)}")
        lines.append("")
    return "\n".join(lines)
