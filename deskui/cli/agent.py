"""`deskui agent add-key | keys | remove-key | web-login`: how agents sign in from elsewhere.

``add-key HANDLE KEYFILE`` stores one OpenSSH public key (ssh-ed25519, ssh-rsa or ecdsa) with
its SHA256 fingerprint; ``keys [HANDLE]`` lists them (``--json``: a list of objects with the
keys the README lists); ``remove-key HANDLE FINGERPRINT`` removes one. Bad input (an unknown
handle, a bad or duplicate key, an unreadable file) is one line on stderr, exit code 2,
nothing written. ``web-login HANDLE`` issues the secret HANDLE signs in to the web desk with
(printed once on stdout, stored hashed), replacing any earlier one; ``--revoke`` removes it.

``add-key`` and ``remove-key`` take ``--as HANDLE``: the agent doing it, who must be an admin
(a refusal is one line on stderr, exit code 3, and is kept in the audit trail). Without
``--as`` the command runs as the system: the operator's shell, which holds the database anyway.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

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
from deskui.services.access.keys import KeyView, add_key, list_keys, remove_key
from deskui.services.authorization import RoleRefusedError
from deskui.services.errors import ServiceError

# The exit code of an action refused for lack of a role (bad input is 2).
REFUSED_EXIT = 3
# A public key line is well under this; a bigger file is not a public key.
_MAX_KEY_FILE_BYTES = 64 * 1024


def register(commands: Any) -> None:
    """Add ``agent add-key``, ``agent keys`` and ``agent remove-key`` to the parser."""
    actions = command_group(
        commands,
        "agent",
        help="agents' SSH keys and web sign-in secrets",
        description=(
            "The SSH public keys agents sign in with (deskui serve ssh) and their web desk "
            "secrets (deskui serve web)."
        ),
    )

    add = actions.add_parser(
        "add-key",
        parents=[global_options_parent()],
        help="store an OpenSSH public key for an agent",
        description="Store the public key in KEYFILE (an OpenSSH .pub file) for HANDLE.",
    )
    add.add_argument("handle", metavar="HANDLE")
    add.add_argument("keyfile", metavar="KEYFILE", type=Path)
    add.add_argument("--json", action="store_true", help="print the stored key as JSON")
    add_as_option(add)
    add.set_defaults(handler=run_add_key)

    keys = actions.add_parser(
        "keys",
        parents=[global_options_parent()],
        help="list stored keys (all agents, or HANDLE's)",
        description="List the stored SSH keys: handle, type, fingerprint, comment, added.",
    )
    keys.add_argument("handle", metavar="HANDLE", nargs="?")
    keys.add_argument("--json", action="store_true", help="print a JSON list")
    keys.set_defaults(handler=run_keys)

    remove = actions.add_parser(
        "remove-key",
        parents=[global_options_parent()],
        help="remove one of an agent's keys by fingerprint",
        description="Remove HANDLE's key with FINGERPRINT (SHA256:…, as 'agent keys' shows).",
    )
    remove.add_argument("handle", metavar="HANDLE")
    remove.add_argument("fingerprint", metavar="FINGERPRINT")
    add_as_option(remove)
    remove.set_defaults(handler=run_remove_key)

    web_login = actions.add_parser(
        "web-login",
        parents=[global_options_parent()],
        help="issue an agent's web desk sign-in secret (replacing any earlier one)",
        description=(
            "Issue a new secret HANDLE signs in to 'deskui serve web' with, printed once and "
            "stored only hashed; it replaces the agent's earlier one. --revoke removes it."
        ),
    )
    web_login.add_argument("handle", metavar="HANDLE")
    web_login.add_argument(
        "--revoke", action="store_true", help="remove the agent's secret instead of issuing one"
    )
    add_as_option(web_login)
    web_login.set_defaults(handler=run_web_login)


def add_as_option(parser: argparse.ArgumentParser) -> None:
    """``--as HANDLE``: the agent doing an admin action (absent: the system)."""
    parser.add_argument(
        "--as",
        dest="as_handle",
        metavar="HANDLE",
        default=None,
        help="the agent doing this, who must be an admin (default: the system)",
    )


def run_web_login(args: argparse.Namespace) -> int:
    from deskui.services.access.web_login import issue_web_login, revoke_web_login

    with desk(args) as actor:
        database, now = actor.database, actor.now()
        try:
            if args.revoke:
                had = revoke_web_login(database, args.handle, at=now, by=args.as_handle)
            else:
                secret = issue_web_login(database, args.handle, at=now, by=args.as_handle)
        except RoleRefusedError as exc:
            raise CommandError(str(exc), exit_code=REFUSED_EXIT) from exc
        except (ServiceError, StoreError) as exc:
            raise CommandError(f"web-login {args.handle}: {exc}") from exc
    if args.revoke:
        print(f"revoked {args.handle}'s web sign-in" if had else f"{args.handle} had none")
    else:
        # The secret alone on stdout, so a script can capture it; it is not shown again.
        print(secret)
        print(f"(the web sign-in secret for {args.handle}; it is shown only now)", file=sys.stderr)
    return 0


def _read_key_file(path: Path) -> str:
    try:
        if path.stat().st_size > _MAX_KEY_FILE_BYTES:
            raise CommandError(f"KEYFILE {str(path)!r} is too big to be a public key")
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise CommandError(f"KEYFILE {str(path)!r} is not a text file") from None
    except OSError as exc:
        raise CommandError(f"KEYFILE {str(path)!r} cannot be read: {exc.strerror}") from None


def _key_json(key: KeyView) -> dict[str, object]:
    return {
        "handle": key.handle,
        "type": key.key_type,
        "fingerprint": key.fingerprint,
        "comment": key.comment,
        "added_at": key.added_at.isoformat(timespec="seconds"),
    }


def _key_line(key: KeyView, zone: dt.tzinfo) -> str:
    added = local_time(key.added_at, zone)
    return f"{key.handle}\t{key.key_type}\t{key.fingerprint}\t{one_line(key.comment)}\t{added}"


def run_add_key(args: argparse.Namespace) -> int:
    text = _read_key_file(args.keyfile)
    with desk(args) as actor:
        database, now = actor.database, actor.now()
        try:
            key = add_key(database, args.handle, text, at=now, by=args.as_handle)
        except RoleRefusedError as exc:
            raise CommandError(str(exc), exit_code=REFUSED_EXIT) from exc
        except ServiceError as exc:
            raise CommandError(f"add-key {args.keyfile}: {exc}") from exc
        except StoreError as exc:
            raise CommandError(str(exc)) from exc
    if args.json:
        print(json.dumps(_key_json(key)))
    else:
        print(f"added {key.fingerprint} for {key.handle}")
    return 0


def run_keys(args: argparse.Namespace) -> int:
    with desk(args) as actor:
        database, _now = actor.database, actor.now()
        try:
            keys = list_keys(database, args.handle)
            zone = reader_zone(args, actor)
        except (ServiceError, StoreError) as exc:
            raise CommandError(str(exc)) from exc
    if args.json:
        print(json.dumps([_key_json(key) for key in keys]))
    else:
        for key in keys:
            print(_key_line(key, zone))
    return 0


def run_remove_key(args: argparse.Namespace) -> int:
    with desk(args) as actor:
        database, now = actor.database, actor.now()
        try:
            key = remove_key(database, args.handle, args.fingerprint, by=args.as_handle, at=now)
        except RoleRefusedError as exc:
            raise CommandError(str(exc), exit_code=REFUSED_EXIT) from exc
        except (ServiceError, StoreError) as exc:
            raise CommandError(str(exc)) from exc
    print(f"removed {key.fingerprint} from {key.handle}")
    return 0
