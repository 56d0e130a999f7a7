"""`deskui oncall show`: who is on call now (or ``--at``) and next, per team with a rotation.

Times default to the settings' clock (``DESKUI_NOW`` freezes it); ``--at`` without a UTC offset
is read in each team's zone. Shift times print in the reader's zone (the agent's, else the
desk's) in the app's one date style; JSON keeps ISO-8601 in the team's zone. ``--json`` prints one
object whose keys the README lists ("On call and SSH keys"). An unknown team or a bad time is
one line on stderr, exit code 2.
"""

from __future__ import annotations

import argparse
import datetime as dt
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
from deskui.domain.calendar.localtime import local_instant
from deskui.domain.display import local_time
from deskui.domain.storage_errors import StoreError
from deskui.services.connect import Database
from deskui.services.errors import ServiceError
from deskui.services.oncall.shifts import ShiftView, TeamOnCall, on_call, team_zones


def register(commands: Any) -> None:
    """Add ``oncall show`` to the ``deskui`` parser."""
    actions = command_group(
        commands,
        "oncall",
        help="who is on call",
        description="On-call rotations as stored in the database.",
    )
    show = actions.add_parser(
        "show",
        parents=[global_options_parent()],
        help="who is on call now (or --at) and next, per team",
        description="Primary and secondary on call now (or at --at) and next, per team.",
    )
    show.add_argument(
        "--at",
        type=arguments.instant,
        help=arguments.instant_help("the instant; without an offset, each team's local time"),
    )
    show.add_argument("--team", help="only this team (slug)")
    show.add_argument("--json", action="store_true", help="print one JSON object")
    show.set_defaults(handler=run_show)


def run_show(args: argparse.Namespace) -> int:
    at: dt.datetime | None = args.at
    with desk(args) as actor:
        database, now = actor.database, actor.now()
        teams = _read(database, at or now, args.team)
        zone = reader_zone(args, actor)
    if args.json:
        print(json.dumps({"teams": [_team_json(team) for team in teams]}))
    else:
        print(_text(teams, zone), end="")
    return 0


def _read(database: Database, at: dt.datetime, team: str | None) -> list[TeamOnCall]:
    try:
        if at.tzinfo is not None:
            return on_call(database, at, team)
        # Wall time: read once per team in that team's zone.
        result: list[TeamOnCall] = []
        for slug, zone in team_zones(database, team).items():
            result.extend(on_call(database, local_instant(at, zone), slug))
        return result
    except (ServiceError, StoreError) as exc:
        raise CommandError(str(exc)) from exc


def _iso(value: dt.datetime) -> str:
    return value.isoformat(timespec="seconds")


def _shift_json(shift: ShiftView | None) -> dict[str, object] | None:
    if shift is None:
        return None
    return {
        "handle": shift.handle,
        "name": shift.name,
        "starts_at": _iso(shift.starts_at),
        "ends_at": _iso(shift.ends_at),
        "override_reason": shift.override_reason,
    }


def _team_json(team: TeamOnCall) -> dict[str, object]:
    return {
        "team": team.team,
        "name": team.team_name,
        "timezone": team.timezone,
        "calendar": team.calendar,
        "at": _iso(team.at),
        "business_hours": team.business_hours,
        "primary": _shift_json(team.primary),
        "secondary": _shift_json(team.secondary),
        "next_primary": _shift_json(team.next_primary),
        "next_secondary": _shift_json(team.next_secondary),
    }


def _shift_line(label: str, shift: ShiftView | None, zone: dt.tzinfo) -> str:
    if shift is None:
        return f"  {label:<15} nobody"
    when = f"{local_time(shift.starts_at, zone)} to {local_time(shift.ends_at, zone)}"
    reason = f" ({shift.override_reason})" if shift.override_reason else ""
    return f"  {label:<15} {shift.handle:<12} {when}{reason}"


def _text(teams: list[TeamOnCall], zone: dt.tzinfo) -> str:
    if not teams:
        return "no team has an on-call rotation\n"
    blocks: list[str] = []
    for team in teams:
        hours = "business hours" if team.business_hours else "after hours"
        lines = [
            f"{team.team} ({team.team_name}) at {local_time(team.at, zone)}: {hours}",
            _shift_line("primary", team.primary, zone),
            _shift_line("secondary", team.secondary, zone),
            _shift_line("next primary", team.next_primary, zone),
            _shift_line("next secondary", team.next_secondary, zone),
        ]
        blocks.append("\n".join(lines) + "\n")
    return "\n".join(blocks)
