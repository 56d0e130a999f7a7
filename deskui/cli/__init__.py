"""The ``deskui`` command: parses arguments, calls services, prints. Kept thin on purpose.

Each command group lives in its own module here and registers its sub-commands on the parser;
``main`` turns the known failure types into a one-line message and exit code 2.

Only the group a call names is imported (``deskui ticket note`` never loads the SSH server or
Textual; ``deskui --version`` loads no group at all): the other commands are listed by name and
help line from ``COMMANDS``, which a test keeps equal to what the groups register.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from types import ModuleType

from deskui import __version__
from deskui.cli.common import CommandError, add_global_options

# Command name -> (module under deskui.cli registering it, help line), in --help order.
COMMANDS: dict[str, tuple[str, str]] = {
    "run": ("app", "open the desk (the default)"),
    "demo": ("app", "build a fresh demo database, then open the desk"),
    "db": ("db", "create, seed and fill the database"),
    "sla": ("sla", "business-time SLA calculations"),
    "ticket": ("ticket", "open, show, list and work tickets from a shell"),
    "mail": ("mail", "mail in and out"),
    "report": ("report", "SLA statistics"),
    "oncall": ("oncall", "who is on call"),
    "agent": ("agent", "agents' SSH keys and web sign-in secrets"),
    "pager": ("pager", "page the on-call agent: runner, list, acknowledge"),
    "board": ("board", "open the live breach board (supervisors)"),
    "serve": ("serve", "serve the desk over SSH or to a browser"),
    "audit": ("audit", "the audit trail"),
}
# Global options that take a value, so the value is not mistaken for the command name.
_VALUED_OPTIONS = ("--config", "--db")


def group_module(name: str) -> ModuleType:
    """The command-group module ``deskui.cli.NAME``, imported on first use."""
    return importlib.import_module(f"deskui.cli.{name}")


def chosen_command(argv: Sequence[str]) -> str | None:
    """The command name in ``argv`` (the first word that is not a global option), if known."""
    words = iter(argv)
    for word in words:
        if word == "--":
            break
        if word in _VALUED_OPTIONS:
            next(words, None)
            continue
        if word.startswith("-"):
            continue
        return word if word in COMMANDS else None
    return None


def build_parser(
    argv: Sequence[str] | None = None, *, every_group: bool = False
) -> argparse.ArgumentParser:
    """The ``deskui`` parser: the chosen command's group in full, the others as names only.

    ``every_group`` registers every group in full (for tests and documentation).
    """
    parser = argparse.ArgumentParser(
        prog="deskui", description="A terminal service desk with business-time SLA clocks."
    )
    parser.add_argument("--version", action="version", version=f"deskui {__version__}")
    add_global_options(parser)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    chosen = chosen_command(sys.argv[1:] if argv is None else argv)
    full = {module for module, _ in COMMANDS.values()} if every_group else set()
    if chosen is not None:
        full.add(COMMANDS[chosen][0])
    registered: set[str] = set()
    for name, (module, help_line) in COMMANDS.items():
        if module in full:
            if module not in registered:
                group_module(module).register(commands)
                registered.add(module)
        else:
            # A placeholder: listed in --help, never parsed (its group was not chosen).
            commands.add_parser(name, help=help_line, add_help=False)
    parser.set_defaults(handler=_run_default)
    return parser


def _run_default(args: argparse.Namespace) -> int:
    """``deskui`` with no command opens the desk."""
    return int(group_module("app").run_default(args) or 0)


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(arguments)
    args = parser.parse_args(arguments)
    try:
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
