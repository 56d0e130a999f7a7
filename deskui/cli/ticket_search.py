"""`deskui ticket search QUERY [--json] [--limit N] [--open]`: search every ticket and its log.

One line per match, best first: reference, status, team, organisation, subject and where the
words were found. ``--json`` prints ``{"query", "more", "tickets": [...]}`` (keys in the
README's "Search and saved views"). A query with no words or a bad limit: one line on stderr,
exit code 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from deskui.cli import arguments
from deskui.cli.common import CommandError, desk
from deskui.domain.untrusted import one_line
from deskui.services.tickets.search import MAX_LIMIT, SearchHit, search

_OPTIONS = {"query": "QUERY", "limit": "--limit", "offset": "--offset"}


def add_search(action: Any) -> None:
    """Add ``search`` to the ``ticket`` group (``action`` is the group's parser factory)."""
    parser = action("search", "search every ticket and its log (open, resolved, closed)", run)
    parser.add_argument(
        "query",
        metavar="QUERY",
        help='words (all must match), "a phrase", or word* for words beginning so',
    )
    parser.add_argument(
        "--limit",
        type=arguments.whole_number(1, MAX_LIMIT),
        default=20,
        help=f"at most N (default 20, max {MAX_LIMIT})",
    )
    parser.add_argument("--open", dest="open_only", action="store_true", help="open tickets only")
    parser.add_argument("--json", action="store_true", help="print the matches as JSON")


def _time(hit_time: Any) -> str | None:
    return hit_time.isoformat(timespec="seconds") if hit_time is not None else None


def hit_json(hit: SearchHit) -> dict[str, object]:
    return {
        "reference": hit.reference,
        "subject": hit.subject,
        "status": hit.status,
        "priority": hit.priority,
        "team": hit.team,
        "organisation": hit.organisation,
        "requester": hit.requester,
        "assignee": hit.assignee,
        "opened_at": _time(hit.opened_at),
        "resolved_at": _time(hit.resolved_at),
        "closed_at": _time(hit.closed_at),
        "score": round(hit.score, 4),
        "snippet": hit.snippet,
    }


def run(args: argparse.Namespace) -> int:
    if not 1 <= args.limit <= MAX_LIMIT:
        raise CommandError(f"--limit: {args.limit} is not between 1 and {MAX_LIMIT}")
    with desk(args, options=_OPTIONS) as actor:
        results = search(actor.database, args.query, limit=args.limit, open_only=args.open_only)
    if args.json:
        payload = {
            "query": results.query,
            "more": results.more,
            "tickets": [hit_json(hit) for hit in results.hits],
        }
        print(json.dumps(payload))
        return 0
    for hit in results.hits:
        print(
            f"{hit.reference}\t{hit.status}\t{one_line(hit.team, 30)}\t"
            f"{one_line(hit.organisation, 40)}\t{one_line(hit.subject, 80)}\t"
            f"{one_line(hit.snippet, 100)}"
        )
    if results.more:
        # On stderr, so that a script reading the lines gets matches only.
        print(f"more matches: --limit {min(MAX_LIMIT, args.limit * 2)} shows more", file=sys.stderr)
    return 0
