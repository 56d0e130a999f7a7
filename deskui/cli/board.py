"""`deskui board`: open the app straight on the breach board (supervisors and admins).

``--read-only`` makes it a wall display: no reassign, no ticket screen, no palette; nothing
leaves the board but quitting. The agent signed in (``--as`` or ``DESKUI_AGENT``) must be a
supervisor or an admin either way.
"""

from __future__ import annotations

import argparse
from typing import Any

from deskui.cli.common import CommandError, global_options_parent, settings_from


def register(commands: Any) -> None:
    """Add ``board`` to the ``deskui`` parser."""
    board = commands.add_parser(
        "board",
        parents=[global_options_parent()],
        help="open the live breach board (supervisors)",
        description=(
            "Open the desk on the live breach board: breached and due-soon tickets, agent "
            "loads, today's compliance and who is on call. --read-only is a wall display."
        ),
    )
    board.add_argument("--as", dest="agent", default=None, help="the signed-in agent's handle")
    board.add_argument("--theme", default=None, help="theme name (see themes/)")
    board.add_argument(
        "--read-only",
        action="store_true",
        help="a wall display: no reassigning, nothing but the board, q quits",
    )
    board.set_defaults(handler=run_board)


def run_board(args: argparse.Namespace) -> int:
    from deskui.cli.common import command_errors
    from deskui.services.supervision.board import may_supervise
    from deskui.services.tickets.desk import DeskService, remembered_theme
    from deskui.ui.app import DeskApp

    settings = settings_from(args, agent=args.agent, theme=args.theme or remembered_theme())
    with command_errors():
        desk = DeskService.open(settings)
    if not may_supervise(desk.agent.roles):
        desk.database.dispose()
        raise CommandError(
            f"the breach board is for supervisors: {desk.agent.handle} does not have the "
            "supervisor role (sign in with --as HANDLE)"
        )
    app = DeskApp(
        desk,
        theme_name=settings.theme,
        refresh_seconds=settings.refresh_seconds,
        warning_minutes=settings.warning_minutes,
        alert_bell=settings.alert_bell,
        on_theme_change=desk.remember_theme,
        start_on_board=True,
        read_only=args.read_only,
    )
    app.run()
    return 0
