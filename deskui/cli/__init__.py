"""The ``deskui`` command: parses arguments, calls services, prints. Kept thin on purpose.

Each command group lives in its own module here and registers its sub-commands on the parser;
``main`` turns the known failure types into a one-line message and exit code 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from deskui import __version__
from deskui.cli import (
    agent,
    app,
    audit,
    board,
    db,
    mail,
    oncall,
    pager,
    report,
    serve,
    sla,
    ticket,
)
from deskui.cli.arguments import DeskArgumentParser
from deskui.cli.common import CommandError, add_global_options

COMMAND_GROUPS = (app, db, sla, ticket, mail, report, oncall, agent, pager, board, serve, audit)


def build_parser() -> argparse.ArgumentParser:
    parser = DeskArgumentParser(
        prog="deskui", description="A terminal service desk with business-time SLA clocks."
    )
    parser.add_argument("--version", action="version", version=f"deskui {__version__}")
    add_global_options(parser)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for group in COMMAND_GROUPS:
        group.register(commands)
    parser.set_defaults(handler=app.run_default)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        # A bad value (an out-of-range date, a huge id, ``inf``) is a CommandError too.
        args = parser.parse_args(argv)
        return int(args.handler(args) or 0)
    except CommandError as exc:
        print(f"deskui: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader (``| head``) went away: not an error worth a traceback.
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
