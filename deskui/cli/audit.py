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

from deskui.cli.common import CommandError, command_group, desk, global_options_parent
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
    refusals.add_argument("--limit", metavar="N", type=_positive, help="only the newest N")
    refusals.add_argument("--json", action="store_true", help="print a JSON list")
    refusals.set_defaults(handler=run_refusals)


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--limit must be a whole number, not {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"--limit must be at least 1, not {value}")
    return value


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
    if args.json:
        print(json.dumps([_json(refusal) for refusal in refusals]))
        return 0
    for r in refusals:
        print("\t".join([_stamp(r.at), r.actor, r.action, r.target, one_line(r.reason)]))
    return 0
