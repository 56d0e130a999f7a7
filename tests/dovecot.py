"""A throwaway Dovecot IMAP server on loopback for the mailbox-fetch tests.

The server gets its own configuration in a temporary directory: one passwd-file user, maildir
mail in that directory, plaintext login without TLS on 127.0.0.1 and a free port. As root, the
login process runs as Debian's ``dovenull`` and the mail as ``dovecot`` (Dovecot refuses root
for both); otherwise everything runs as the current user. Without Dovecot the tests are
skipped, except under CI (``CI=true``), where they fail: CI must test against a real server.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import pytest

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
USER = "desk"
PASSWORD = "secret-for-tests"


@dataclass(frozen=True)
class DovecotServer:
    host: str
    port: int
    user: str
    password: str
    directory: Path


def dovecot_unavailable(reason: str) -> NoReturn:
    """Skip with ``reason``, except under CI, where the Dovecot tests must run: fail."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI must test against Dovecot, but: {reason}", pytrace=False)
    pytest.skip(f"Dovecot tests skipped: {reason} (install Debian's 'dovecot-imapd' package)")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _config(directory: Path, port: int) -> str:
    if os.geteuid() == 0:
        try:
            mail_user, login_user = pwd.getpwnam("dovecot"), pwd.getpwnam("dovenull")
        except KeyError:
            dovecot_unavailable("running as root needs the 'dovecot' and 'dovenull' users")
        internal, login = mail_user.pw_name, login_user.pw_name
        uid, gid = mail_user.pw_uid, mail_user.pw_gid
        for sub in ("mail", "home"):
            os.chown(directory / sub, uid, gid)
    else:
        me = pwd.getpwuid(os.getuid())
        internal = login = me.pw_name
        uid, gid = me.pw_uid, me.pw_gid
    return f"""
base_dir = {directory}/run
state_dir = {directory}/state
log_path = {directory}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{directory}/mail/%u
first_valid_uid = 1
default_internal_user = {internal}
default_internal_group = {internal}
default_login_user = {login}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {directory}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={directory}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service submission-login {{
  inet_listener submission {{
    port = 0
  }}
}}
"""


def _wait_for_login(server: DovecotServer, process: subprocess.Popen[bytes]) -> None:
    from imapclient import IMAPClient

    deadline = time.monotonic() + 30
    last: Exception | None = None
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log = (server.directory / "dovecot.log").read_text(errors="replace")
            dovecot_unavailable(f"dovecot exited ({process.returncode}): {log[-500:]}")
        try:
            client = IMAPClient(server.host, server.port, ssl=False, timeout=5)
            client.login(server.user, server.password)
            client.logout()
            return
        except Exception as exc:  # not listening, or the login process is still starting
            last = exc
            time.sleep(0.3)
    raise RuntimeError(f"dovecot on port {server.port} never accepted a login: {last!r}")


@pytest.fixture(scope="session")
def dovecot() -> Iterator[DovecotServer]:
    """A Dovecot server for the whole run (each test uses its own folders)."""
    if not Path(DOVECOT).exists():
        dovecot_unavailable(f"no {DOVECOT}")
    # Not under pytest's tmp_path: its parents are private to the current user, and the
    # mail processes run as the 'dovecot' user when the suite runs as root.
    directory = Path(tempfile.mkdtemp(prefix="deskui-dovecot-"))
    directory.chmod(0o755)
    for sub in ("run", "state", "mail", "home"):
        (directory / sub).mkdir()
    (directory / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}::::::\n", encoding="utf-8")
    port = _free_port()
    (directory / "dovecot.conf").write_text(_config(directory, port), encoding="utf-8")
    process = subprocess.Popen(
        [DOVECOT, "-F", "-c", str(directory / "dovecot.conf")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    server = DovecotServer("127.0.0.1", port, USER, PASSWORD, directory)
    try:
        _wait_for_login(server, process)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(directory, ignore_errors=True)
