"""`deskui audit refusals`: the trail of actions the service layer refused for lack of a role.

Every refusal (a plain agent moving a colleague's ticket, a non-admin adding a key, …) is
written to ``audit_refusal`` whatever path asked for it (key, palette, CLI, SSH). This lists
them newest first: tab-separated ``at  actor  action  target  reason``, or ``--json``: a list
of objects with the keys ``at`` (ISO 8601, UTC), ``actor``, ``action``, ``target``, ``reason``.
``--agent HANDLE`` keeps one agent's, ``--limit N`` the newest N.
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
from deskui.domain.display import local_time
from deskui.domain.storage_errors import StoreError
from deskui.domain.untrusted import one_line
from deskui.services.authorization import RefusalView, list_refusals


def register(commands: Any) -> None:
    """Add ``audit refusals`` to the parser."""
    actions = command_group(
        commands,
        "audit",
        help="the audit trail",
        description="What the desk refused, and who asked.",
    )
    refusals = actions.add_parser(
        "refusals",
        parents=[global_options_parent()],
        help="list actions refused for lack of a role, newest first",
        description="List the refused actions: when, who, what, on what, and why.",
    )
    refusals.add_argument("--agent", metavar="HANDLE", help="only this agent's refusals")
    refusals.add_argument(
        "--limit",
        metavar="N",
        type=arguments.whole_number(1, arguments.MAX_LIST),
        help=f"only the newest N (1 to {arguments.MAX_LIST})",
    )
    refusals.add_argument("--json", action="store_true", help="print a JSON list")
    refusals.set_defaults(handler=run_refusals)


def _stamp(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).isoformat(timespec="seconds")


def _json(refusal: RefusalView) -> dict[str, str]:
    return {
        "at": _stamp(refusal.at),
        "actor": refusal.actor,
        "action": refusal.action,
        "target": refusal.target,
        "reason": refusal.reason,
    }


def run_refusals(args: argparse.Namespace) -> int:
    with desk(args) as actor:
        database, _now = actor.database, actor.now()
        try:
            refusals = list_refusals(database, actor=args.agent, limit=args.limit)
        except StoreError as exc:
            raise CommandError(str(exc)) from exc
        zone = reader_zone(args, actor)
    if args.json:
        print(json.dumps([_json(refusal) for refusal in refusals]))
        return 0
    for r in refusals:
        when = local_time(r.at, zone)
        print("\t".join([when, r.actor, r.action, r.target, one_line(r.reason)]))
    return 0
