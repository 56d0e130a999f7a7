"""`deskui serve ssh`, `deskui serve web` and `deskui serve lmtp`: the desk for agents elsewhere,
and an LMTP listener for the mail server.

``serve ssh`` signs agents in by the SSH keys stored with ``deskui agent add-key`` and runs
the desk for each session in its own process; ``serve web`` serves the desk to browsers, each
signed in by handle and the secret from ``deskui agent web-login`` (``--as`` instead makes a
single-user desk on a loopback address). Both bind to 127.0.0.1 unless told otherwise. The desk
processes get the database URL through ``DESKUI_DATABASE_URL`` (not the command line, which
other users can read).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from pathlib import Path
from typing import Any

from deskui.cli import arguments
from deskui.cli.common import CommandError, command_group, global_options_parent, settings_from
from deskui.settings import Settings

_DEFAULT_HOST = "127.0.0.1"
# A week for a timeout, ten thousand connections: beyond any real use, within what asyncio takes.
MAX_TIMEOUT = 7 * 86_400
MAX_CONNECTIONS = 10_000
# Terminal variables of the server's own terminal: each SSH session sets its client's.
_SERVER_ONLY_ENV = ("TERM", "COLORTERM", "COLUMNS", "LINES", "DESKUI_AGENT", "SSH_AUTH_SOCK")


def register(commands: Any) -> None:
    """Add ``serve ssh`` and ``serve web`` to the ``deskui`` parser."""
    actions = command_group(
        commands,
        "serve",
        help="serve the desk over SSH or to a browser",
        description="Serve the desk to agents elsewhere: over SSH, or in a browser.",
    )

    ssh = actions.add_parser(
        "ssh",
        parents=[global_options_parent()],
        help="an SSH server: agents sign in with their stored keys",
        description=(
            "An SSH server running the desk for each session. Public-key login only, with the "
            "keys stored by 'deskui agent add-key'; the key decides the agent."
        ),
    )
    ssh.add_argument(
        "--listen", default=f"{_DEFAULT_HOST}:2222", metavar="HOST:PORT", help="where to listen"
    )
    ssh.add_argument(
        "--host-key",
        type=Path,
        required=True,
        metavar="PATH",
        help="the server's private key (an ed25519 key is created there if missing)",
    )
    ssh.add_argument(
        "--login-timeout",
        type=arguments.seconds(0, MAX_TIMEOUT, low_inclusive=True),
        default=30.0,
        metavar="S",
        help="seconds to finish signing in (default 30)",
    )
    ssh.add_argument(
        "--idle-timeout",
        type=arguments.seconds(0, MAX_TIMEOUT, low_inclusive=True),
        default=1800.0,
        metavar="S",
        help="seconds without input before a session ends (default 1800)",
    )
    ssh.add_argument(
        "--max-per-user",
        type=arguments.whole_number(1, MAX_CONNECTIONS),
        default=3,
        metavar="N",
        help="connections one agent may have open (default 3)",
    )
    ssh.add_argument(
        "--max-sessions",
        type=arguments.whole_number(1, MAX_CONNECTIONS),
        default=50,
        metavar="N",
        help="connections open in all (default 50)",
    )
    ssh.set_defaults(handler=run_serve_ssh)

    web = actions.add_parser(
        "web",
        parents=[global_options_parent()],
        help="serve the desk to browsers: each agent signs in with their web secret",
        description=(
            "Serve the desk to browsers. Each browser signs in with a handle and the secret "
            "from 'deskui agent web-login'; the desk then runs as that agent. Plain HTTP on "
            "127.0.0.1 unless told otherwise: put a TLS proxy in front for anything else."
        ),
    )
    web.add_argument(
        "--listen", default=f"{_DEFAULT_HOST}:8000", metavar="HOST:PORT", help="where to listen"
    )
    web.add_argument(
        "--as",
        dest="agent",
        default=None,
        metavar="HANDLE",
        help=(
            "a single-user local desk: no sign-in, whoever reaches the port is HANDLE; only "
            "on a loopback address (127.0.0.1, ::1)"
        ),
    )
    web.add_argument(
        "--public-url", default=None, help="the address browsers use, when behind a proxy"
    )
    web.add_argument(
        "--session-minutes",
        type=float,
        default=480.0,
        metavar="M",
        help="minutes a sign-in lasts; its desk closes then (default 480)",
    )
    web.add_argument(
        "--max-failures",
        type=int,
        default=5,
        metavar="N",
        help="failed sign-ins per handle or address in 15 minutes before a pause (default 5)",
    )
    web.set_defaults(handler=run_serve_web)

    lmtp = actions.add_parser(
        "lmtp",
        parents=[global_options_parent()],
        help="an LMTP listener for the MTA: mail filed without a process per message",
        description=(
            "An LMTP server (RFC 2033) filing each message like 'deskui mail ingest', with an "
            "answer per recipient. Point Postfix at it with "
            "'mailbox_transport = lmtp:inet:127.0.0.1:PORT' or a transport map entry."
        ),
    )
    lmtp.add_argument(
        "--listen", default=f"{_DEFAULT_HOST}:2424", metavar="HOST:PORT", help="where to listen"
    )
    lmtp.add_argument("--team", help="team for senders whose organisation names none")
    lmtp.set_defaults(handler=run_serve_lmtp)


def parse_listen(text: str) -> tuple[str, int]:
    """``HOST:PORT`` (``[::1]:PORT`` for IPv6) → ``(host, port)``; port 0 picks a free one."""
    host, sep, port_text = text.strip().rpartition(":")
    host = host.strip("[]")
    if not sep or not host or not port_text.isdigit() or int(port_text) > 65535:
        raise CommandError(f"--listen {text!r} is not HOST:PORT, like 127.0.0.1:2222")
    return host, int(port_text)


def _positive(name: str, value: float, *, zero_ok: bool = False) -> None:
    if value < 0 or (value == 0 and not zero_ok):
        allowed = "0 (none) or more" if zero_ok else "more than 0"
        raise CommandError(f"{name} {value:g} is not allowed: give {allowed}")


def desk_command(args: argparse.Namespace, handle: str) -> list[str]:
    """The command line that runs the desk as ``handle`` with this invocation's settings."""
    argv = [sys.executable, "-m", "deskui"]
    if getattr(args, "config", None) is not None:
        argv += ["--config", str(Path(args.config).resolve())]
    return [*argv, "run", "--as", handle]


def desk_env(settings: Settings) -> dict[str, str]:
    """The desk processes' environment: this one's, minus its terminal, plus the database."""
    env = {name: value for name, value in os.environ.items() if name not in _SERVER_ONLY_ENV}
    env["DESKUI_DATABASE_URL"] = settings.database_url
    return env


def _configure_logging() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    # asyncssh logs every packet-level step at INFO; its warnings are enough here.
    logging.getLogger("asyncssh").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)


def run_serve_ssh(args: argparse.Namespace) -> int:
    from deskui.cli.common import desk
    from deskui.remote.host_key import HostKeyError
    from deskui.remote.limits import Limits
    from deskui.remote.ssh_server import SshConfig, serve_ssh
    from deskui.services.access.keys import key_owner

    host, port = parse_listen(args.listen)
    _positive("--login-timeout", args.login_timeout, zero_ok=True)
    _positive("--idle-timeout", args.idle_timeout, zero_ok=True)
    _positive("--max-per-user", args.max_per_user)
    _positive("--max-sessions", args.max_sessions)
    settings = settings_from(args)
    limits = Limits(args.login_timeout, args.idle_timeout, args.max_per_user, args.max_sessions)
    _configure_logging()

    def ready(bound_host: str, bound_port: int, fingerprint: str) -> None:
        print(f"deskui: SSH on {bound_host}:{bound_port}, host key {fingerprint}", flush=True)

    with desk(args) as actor:
        database = actor.database
        config = SshConfig(
            host=host,
            port=port,
            host_key=args.host_key,
            limits=limits,
            desk_command=lambda handle: desk_command(args, handle),
            desk_env=desk_env(settings),
            key_owner=lambda blob: key_owner(database, blob),
        )
        try:
            asyncio.run(serve_ssh(config, on_ready=ready))
        except HostKeyError as exc:
            raise CommandError(str(exc)) from exc
        except OSError as exc:
            raise CommandError(f"cannot listen on {args.listen}: {exc.strerror or exc}") from exc
    return 0


def run_serve_lmtp(args: argparse.Namespace) -> int:
    from deskui.cli.common import desk
    from deskui.domain.storage_errors import StoreError
    from deskui.remote.lmtp import LmtpAnswer, LmtpConfig, serve_lmtp
    from deskui.services.actor import Actor
    from deskui.services.intake.mail_in import ingest_message
    from deskui.services.mail.outbox import send_pending
    from deskui.services.mail.smtp import mail_configured

    host, port = parse_listen(args.listen)
    settings = settings_from(args)
    clock = settings.time_source()
    team = args.team or settings.mail_team
    _configure_logging()

    with desk(args) as opened:
        # The system files the mail, on the settings' running clock.
        system = Actor(opened.database, None, clock, settings)
        database = opened.database

        def file(raw: bytes, recipient: str) -> LmtpAnswer:
            try:
                result = ingest_message(system, raw, team=team, recipients=(recipient,))
            except StoreError as exc:
                return LmtpAnswer(False, f"the database is unavailable, try again: {exc}")
            if result.action == "quarantined":
                return LmtpAnswer(True, f"kept in quarantine {result.quarantine_id}")
            return LmtpAnswer(True, f"{result.action} {result.reference or ''}".strip())

        def after() -> None:
            if mail_configured(settings):
                send_pending(database, settings, at=clock.now())

        def ready(bound_host: str, bound_port: int) -> None:
            print(f"deskui: LMTP on {bound_host}:{bound_port}", flush=True)

        config = LmtpConfig(host=host, port=port, file=file, after=after)
        try:
            asyncio.run(serve_lmtp(config, on_ready=ready))
        except OSError as exc:
            raise CommandError(f"cannot listen on {args.listen}: {exc.strerror or exc}") from exc
        except KeyboardInterrupt:
            pass
    return 0


def run_serve_web(args: argparse.Namespace) -> int:
    from deskui.cli.common import desk
    from deskui.domain.storage_errors import StoreError
    from deskui.remote.web import SignedIn, WebConfig, serve_web
    from deskui.services.access.web_login import check_web_login, record_sign_in_refusal

    host, port = parse_listen(args.listen)
    if port == 0:
        raise CommandError("--listen needs a port for serve web (the page names it)")
    _positive("--session-minutes", args.session_minutes)
    _positive("--max-failures", args.max_failures)
    settings = settings_from(args, agent=args.agent)
    single: SignedIn | None = None
    if args.agent is not None:
        if not _is_loopback(host):
            raise CommandError(
                f"--as is for a single-user desk on this machine; --listen {args.listen} is "
                "not a loopback address (drop --as: agents then sign in)"
            )
        _check_desk_opens(settings)
        single = SignedIn(args.agent, args.agent)
    _configure_logging()

    def ready(url: str) -> None:
        how = f"as {args.agent}, no sign-in" if single else "agents sign in"
        print(f"deskui: web desk on {url} ({how})", flush=True)

    with desk(args) as actor:
        database = actor.database
        try:
            check_web_login(database, "", "")
        except StoreError as exc:
            raise CommandError(
                f"the database has no web sign-in table ({exc.__class__.__name__}): "
                "run 'deskui db upgrade'"
            ) from exc

        def sign_in(handle: str, secret: str) -> SignedIn | None:
            agent = check_web_login(database, handle, secret)
            return SignedIn(agent.handle, agent.name) if agent else None

        def record_refusal(handle: str, address: str, reason: str) -> None:
            at = settings.time_source().now()
            record_sign_in_refusal(database, handle=handle, remote=address, reason=reason, at=at)

        config = WebConfig(
            host=host,
            port=port,
            title=settings.desk_name,
            desk_command=lambda handle: desk_command(args, handle),
            sign_in=sign_in,
            record_refusal=record_refusal,
            public_url=args.public_url,
            session_seconds=args.session_minutes * 60,
            max_failures=args.max_failures,
            single_agent=single,
        )
        # textual-serve starts each desk with this process's environment. Built before the
        # clear: built after it, the desks lost every setting (DESKUI_NOW, the config, HOME).
        env = desk_env(settings)
        os.environ.clear()
        os.environ.update(env)
        try:
            serve_web(config, on_ready=ready)
        except OSError as exc:
            raise CommandError(f"cannot listen on {args.listen}: {exc.strerror or exc}") from exc
    return 0


def _is_loopback(host: str) -> bool:
    import ipaddress

    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _check_desk_opens(settings: Settings) -> None:
    """Open the desk as the agent once, so a bad database or agent fails here, in one line,
    rather than in every browser tab."""
    from deskui.cli.common import command_errors
    from deskui.services.tickets.desk import DeskService

    with command_errors():
        desk = DeskService.open(settings)
    desk.database.dispose()
