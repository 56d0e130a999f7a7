"""`deskui` commands: app (placeholder until its issue lands)."""

from __future__ import annotations

import argparse
from typing import Any


def register(commands: Any) -> None:
    """Add this group's sub-commands to the ``deskui`` parser."""


def run_default(args: argparse.Namespace) -> int:
    print("deskui: no command given; try 'deskui --help'")
    return 0
