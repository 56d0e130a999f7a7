"""`deskui serve ssh` end to end: the real server process, the real OpenSSH client, a demo desk.

One server (module-scoped) serves the desk tests and the refusals; a second one with tiny
limits serves the timeout and limit tests. Keys are made with ``ssh-keygen`` and stored with
``deskui agent add-key``; the screen is read with pyte (``pty_terminal.Terminal``). Without an
``ssh`` client the file is skipped, except under CI (``CI=true``), where that is a failure.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import asyncssh
import pexpect
import pytest
from pty_terminal import Terminal

REPO = Path(__file__).resolve().parents[2]
NOW = "2026-12-01T15:00:00+00:00"
SSH = shutil.which("ssh")
SSH_KEYGEN = shutil.which("ssh-keygen")

if SSH is None or SSH_KEYGEN is None:
    if os.environ.get("CI") == "true":
        pytest.fail("CI needs the OpenSSH client (ssh, ssh-keygen) for these tests")
    pytest.skip("the OpenSSH client (ssh, ssh-keygen) is not installed", allow_module_level=True)


def _deskui() -> str:
    found = shutil.which("deskui", path=str(Path(sys.executable).parent))
    if found is None:
        pytest.fail("the deskui console script is not installed next to this Python")
    return found


def _env(state: Path) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if not name.startswith("SSH_")}
    return {**env, "DESKUI_NOW": NOW, "XDG_STATE_HOME": str(state)}


@dataclass
class Desk:
    """A demo database with keys for two agents."""

    url: str
    state: Path
    lchen_key: Path
    jmorales_key: Path
    stranger_key: Path

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [_deskui(), "--db", self.url, *args],
            env=_env(self.state),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )


@dataclass
class Server:
    """A running ``deskui serve ssh``."""

    process: subprocess.Popen[str]
    port: int
    log: Path

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8")

    def wait_for_log(self, pattern: str, timeout: float = 10.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = self.log_text()
            if re.search(pattern, text):
                return text
            time.sleep(0.1)
        raise AssertionError(f"{pattern!r} never appeared in the server log:\n{self.log_text()}")


def _keygen(path: Path, comment: str) -> Path:
    subprocess.run(
        [SSH_KEYGEN, "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", str(path)], check=True
    )
    return path


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Desk:
    root = tmp_path_factory.mktemp("ssh-desk")
    keys = root / "keys"
    keys.mkdir()
    desk = Desk(
        url=f"sqlite:///{root / 'demo.db'}",
        state=root / "state",
        lchen_key=_keygen(keys / "lchen", "lin@home"),
        jmorales_key=_keygen(keys / "jmorales", "jorge@home"),
        stranger_key=_keygen(keys / "stranger", "who@where"),
    )
    built = desk.cli("demo", "--no-app", "--data", str(REPO / "sample_data"))
    assert built.returncode == 0, built.stderr
    for handle, key in (("lchen", desk.lchen_key), ("jmorales", desk.jmorales_key)):
        added = desk.cli("agent", "add-key", handle, f"{key}.pub")
        assert added.returncode == 0, added.stderr
    return desk


def _start_server(desk: Desk, directory: Path, *limits: str) -> Iterator[Server]:
    log = directory / "server.log"
    host_key = directory / "keys" / "host_ed25519"
    with log.open("w", encoding="utf-8") as log_file:
        process = subprocess.Popen(
            [_deskui(), "--db", desk.url, "serve", "ssh", "--listen", "127.0.0.1:0",
             "--host-key", str(host_key), *limits],
            env=_env(desk.state),
            stdout=subprocess.PIPE,
            stderr=log_file,
            text=True,
        )  # fmt: skip
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        found = re.search(r"SSH on 127\.0\.0\.1:(\d+), host key SHA256:", line)
        assert found, f"no ready line: {line!r}\n{log.read_text(encoding='utf-8')}"
        # The host key was made on first start, private to the server's user.
        assert host_key.stat().st_mode & 0o777 == 0o600
        yield Server(process, int(found.group(1)), log)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            assert process.wait(timeout=15) == 0, log.read_text(encoding="utf-8")
        finally:
            if process.poll() is None:
                process.kill()


@pytest.fixture(scope="module")
def server(desk: Desk, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    yield from _start_server(desk, tmp_path_factory.mktemp("ssh-server"))


@pytest.fixture(scope="module")
def quick_server(desk: Desk, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Two-second login and idle timeouts."""
    yield from _start_server(
        desk, tmp_path_factory.mktemp("ssh-quick"), "--login-timeout", "2", "--idle-timeout", "2"
    )


@pytest.fixture(scope="module")
def small_server(desk: Desk, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One connection per agent, two in all."""
    yield from _start_server(
        desk, tmp_path_factory.mktemp("ssh-small"), "--max-per-user", "1", "--max-sessions", "2"
    )


def ssh_argv(
    server: Server, key: Path | None, *options: str, command: tuple[str, ...] = ()
) -> list[str]:
    """The OpenSSH client, with no user config, no agent and no known-hosts file.

    The user name is one no agent has: the key alone decides who signs in.
    """
    identity = ["-i", str(key), "-o", "IdentitiesOnly=yes"] if key is not None else []
    # ``options`` come first: for ssh the first value given for a setting wins.
    return [
        SSH, *options, "-F", "/dev/null", "-p", str(server.port), *identity,
        "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
        "-o", "BatchMode=yes", "-o", "LogLevel=ERROR", "-o", "ConnectTimeout=10",
        "nobody@127.0.0.1", *command,
    ]  # fmt: skip


def run_ssh(
    server: Server,
    key: Path | None,
    *options: str,
    command: tuple[str, ...] = (),
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    no_agent = {name: value for name, value in os.environ.items() if name != "SSH_AUTH_SOCK"}
    return subprocess.run(
        ssh_argv(server, key, *options, command=command),
        env=env if env is not None else no_agent,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=20,
        check=False,
    )


def _fingerprint(public_key: Path) -> str:
    listed = subprocess.run(
        [SSH_KEYGEN, "-lf", str(public_key)], check=True, capture_output=True, text=True
    )
    return listed.stdout.split()[1]


# ---- the desk over SSH ----------------------------------------------------------------------


def test_open_a_ticket_and_add_a_note_over_ssh(desk: Desk, server: Server) -> None:
    term = Terminal(ssh_argv(server, desk.lchen_key, "-tt"), env={"SSH_AUTH_SOCK": ""})
    try:
        # The key is Lin Chen's; the user name given ("nobody") plays no part.
        screen = term.wait_for("All open (")
        # The header names who is signed in (the handle alone when the line is full).
        header = screen.splitlines()[0]
        assert "Lin Chen (lchen)" in header or "·  lchen  ·" in header, header
        term.press("3")
        term.wait_for("Whole site locked")
        term.press("\r")
        screen = term.wait_for("oldest first")
        reference = next(word for word in screen.split() if word.startswith("DSK-"))
        term.press("n")
        term.wait_for("Note (never shown to the customer)")
        term.press("Rebooted the WES server from home")
        term.press("\x13")  # ctrl+s: save
        term.wait_for("Rebooted the WES server from home")
        term.press("\x1b")
        term.wait_for("All open (")

        # Colours reach a plain ssh -t: the app paints backgrounds, not just text.
        backgrounds = {char.bg for row in term.screen.buffer.values() for char in row.values()}
        assert backgrounds - {"default"}, "no background colours on screen"

        # A resize reaches the app: it redraws the key bar on the new last line.
        term.screen.resize(30, 100)
        term.child.setwinsize(30, 100)
        deadline = time.monotonic() + 15
        while "palette" not in term.screen.display[29] and time.monotonic() < deadline:
            term.pump(0.2)
        assert "palette" in term.screen.display[29], term.text()

        term.press("q")
        term.child.expect(pexpect.EOF, timeout=15)
        term.child.close()
        assert term.child.exitstatus == 0
    finally:
        term.close()

    shown = desk.cli("ticket", "show", reference, "--json")
    assert shown.returncode == 0, shown.stderr
    notes = [e for e in json.loads(shown.stdout)["interactions"] if e["kind"] == "note"]
    assert notes[-1]["body"] == "Rebooted the WES server from home"
    assert notes[-1]["author_handle"] == "lchen"

    fingerprint = re.escape(_fingerprint(desk.lchen_key.with_suffix(".pub")))
    server.wait_for_log(rf"login lchen \(agent\) from 127\.0\.0\.1:\d+ with key {fingerprint}")
    server.wait_for_log(r"disconnect lchen from 127\.0\.0\.1:\d+")


# ---- refusals ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "command", "message"),
    [
        pytest.param((), ("ls", "-l"), "deskui: commands are not run here", id="exec"),
        pytest.param(("-T",), (), "deskui: the desk needs a terminal", id="no-tty"),
        pytest.param(("-s",), ("sftp",), "deskui: the 'sftp' subsystem", id="sftp-subsystem"),
    ],
)
def test_session_refusals_say_why(
    desk: Desk, server: Server, options: tuple[str, ...], command: tuple[str, ...], message: str
) -> None:
    done = run_ssh(server, desk.lchen_key, *options, command=command)
    assert done.returncode == 1, done.stderr
    assert message in done.stderr
    server.wait_for_log(rf"refused lchen from 127\.0\.0\.1:\d+: {re.escape(message[8:24])}")


@pytest.mark.skipif(shutil.which("sftp") is None, reason="no sftp client")
def test_the_sftp_client_is_refused(desk: Desk, server: Server) -> None:
    done = subprocess.run(
        [shutil.which("sftp") or "sftp", "-b", "-", "-F", "/dev/null", "-P", str(server.port),
         "-i", str(desk.lchen_key), "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes",
         "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
         "-o", "LogLevel=ERROR", "nobody@127.0.0.1"],
        input="ls\n", capture_output=True, text=True, timeout=20, check=False,
    )  # fmt: skip
    assert done.returncode != 0
    assert "deskui: the 'sftp' subsystem (sftp/scp) is not offered here" in done.stderr


def test_an_unknown_key_is_refused(desk: Desk, server: Server) -> None:
    done = run_ssh(server, desk.stranger_key, "-tt")
    assert done.returncode == 255
    assert "Permission denied (publickey)" in done.stderr
    fingerprint = re.escape(_fingerprint(desk.stranger_key.with_suffix(".pub")))
    server.wait_for_log(rf"refused unknown key {fingerprint} \(user 'nobody'\)")


def test_only_public_keys_are_offered(server: Server) -> None:
    # The client would use a password or keyboard-interactive; the server offers neither.
    done = run_ssh(
        server,
        None,
        "-o", "PubkeyAuthentication=no",
        "-o", "PreferredAuthentications=password,keyboard-interactive",
        "-tt",
    )  # fmt: skip
    assert done.returncode == 255
    assert "Permission denied (publickey)." in done.stderr


@pytest.mark.parametrize("method", ["password", "keyboard-interactive"])
def test_asyncssh_client_cannot_sign_in_without_a_key(server: Server, method: str) -> None:
    async def attempt() -> None:
        await asyncssh.connect(
            "127.0.0.1",
            server.port,
            username="lchen",
            password="lchen",
            client_keys=None,
            agent_path=None,
            known_hosts=None,
            preferred_auth=method,
        )

    with pytest.raises(asyncssh.PermissionDenied):
        asyncio.run(attempt())


def test_one_session_per_connection(desk: Desk, server: Server) -> None:
    async def two_sessions() -> str:
        async with await _hold(server, desk.lchen_key) as conn:
            first = await conn.run("true")  # a session (refused: a command), still the one
            assert first.exit_status == 1
            with pytest.raises(asyncssh.ChannelOpenError) as refused:
                await conn.run("true")
            return refused.value.reason

    assert asyncio.run(two_sessions()) == "deskui: one session per connection"
    server.wait_for_log(r"refused a second session for lchen from 127\.0\.0\.1:\d+")


def test_remote_port_forwarding_is_refused(desk: Desk, server: Server) -> None:
    done = run_ssh(
        server, desk.lchen_key,
        "-o", "ExitOnForwardFailure=yes", "-R", "127.0.0.1:0:127.0.0.1:9", "-tt",
    )  # fmt: skip
    assert done.returncode == 255
    assert "remote port forwarding failed" in done.stderr
    server.wait_for_log(r"refused remote port forwarding from 127\.0\.0\.1:0 for lchen")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_local_port_forwarding_is_refused(desk: Desk, server: Server) -> None:
    local = _free_port()
    client = subprocess.Popen(
        ssh_argv(server, desk.lchen_key, "-o", "LogLevel=INFO", "-N",
                 "-L", f"127.0.0.1:{local}:127.0.0.1:9"),
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                tunnel = socket.create_connection(("127.0.0.1", local), timeout=5)
                break
            except ConnectionRefusedError:
                assert time.monotonic() < deadline, "ssh -L never listened"
                time.sleep(0.1)
        with tunnel:
            tunnel.settimeout(10)
            assert tunnel.recv(16) == b""  # the server refused the channel: closed at once
        server.wait_for_log(r"refused local port forwarding to 127\.0\.0\.1:9 for lchen")
    finally:
        client.terminate()
        try:
            _out, err = client.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            # A busy client can sit on SIGTERM; what it printed before is what is checked.
            client.kill()
            _out, err = client.communicate(timeout=10)
    assert "administratively prohibited: deskui: port forwarding is refused" in err


@pytest.mark.skipif(shutil.which("ssh-agent") is None, reason="no ssh-agent")
def test_agent_forwarding_is_refused(desk: Desk, server: Server, tmp_path: Path) -> None:
    # OpenSSH asks for agent forwarding only when it has an agent to forward.
    sock = tmp_path / "agent.sock"
    agent = subprocess.Popen([shutil.which("ssh-agent") or "", "-D", "-a", str(sock)])
    try:
        deadline = time.monotonic() + 10
        while not sock.exists():
            assert time.monotonic() < deadline, "ssh-agent never started"
            time.sleep(0.05)
        done = run_ssh(
            server, desk.lchen_key, "-A", "-tt", env={**os.environ, "SSH_AUTH_SOCK": str(sock)}
        )
    finally:
        agent.terminate()
        try:
            agent.wait(timeout=10)
        except subprocess.TimeoutExpired:
            agent.kill()
            agent.wait(timeout=10)
    assert done.returncode == 1
    assert "deskui: agent forwarding is refused; connect without -A" in done.stderr
    server.wait_for_log(r"refused lchen from 127\.0\.0\.1:\d+: agent forwarding is refused")


def test_x11_forwarding_is_refused(desk: Desk, server: Server) -> None:
    env = {n: v for n, v in os.environ.items() if n != "SSH_AUTH_SOCK"}
    done = run_ssh(
        server, desk.lchen_key, "-X", "-tt", "-o", "XAuthLocation=/nonexistent",
        env={**env, "DISPLAY": ":0"},
    )  # fmt: skip
    assert done.returncode == 1
    assert "deskui: X11 forwarding is refused; connect without -X/-Y" in done.stderr
    server.wait_for_log(r"refused lchen from 127\.0\.0\.1:\d+: X11 forwarding is refused")


# ---- timeouts and limits ----------------------------------------------------------------------


def test_login_timeout_closes_a_silent_connection(quick_server: Server) -> None:
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", quick_server.port), timeout=15) as sock:
        assert sock.recv(64).startswith(b"SSH-2.0-")
        while sock.recv(1024):
            pass
    # At least the login timeout, and closed by it (15 s: a bound only a hang exceeds).
    assert 1.5 < time.monotonic() - started < 15
    quick_server.wait_for_log(r"disconnect - from 127\.0\.0\.1:\d+: Login timeout expired")


def test_idle_timeout_ends_the_session_with_a_message(desk: Desk, quick_server: Server) -> None:
    child = pexpect.spawn(
        ssh_argv(quick_server, desk.jmorales_key, "-tt")[0],
        ssh_argv(quick_server, desk.jmorales_key, "-tt")[1:],
        env={**os.environ, "TERM": "xterm-256color", "SSH_AUTH_SOCK": ""},
        dimensions=(24, 80),
    )
    try:
        child.expect("deskui: no input for 2 s; disconnected", timeout=30)
        child.expect(pexpect.EOF, timeout=10)
    finally:
        child.close(force=True)
    quick_server.wait_for_log(r"idle timeout jmorales from 127\.0\.0\.1:\d+ \(2 s\)")


async def _hold(server: Server, key: Path) -> asyncssh.SSHClientConnection:
    return await asyncssh.connect(
        "127.0.0.1",
        server.port,
        username="anyone",
        client_keys=[asyncssh.read_private_key(key)],
        agent_path=None,
        known_hosts=None,
    )


def test_connection_limits(desk: Desk, small_server: Server) -> None:
    async def scenario() -> tuple[str, str]:
        first = await _hold(small_server, desk.lchen_key)
        try:
            per_user = await asyncio.to_thread(run_ssh, small_server, desk.lchen_key, "-tt")
            second = await _hold(small_server, desk.jmorales_key)
            try:
                full = await asyncio.to_thread(run_ssh, small_server, desk.lchen_key, "-tt")
            finally:
                second.close()
                await second.wait_closed()
        finally:
            first.close()
            await first.wait_closed()
        return per_user.stderr, full.stderr

    per_user, full = asyncio.run(scenario())
    assert "deskui: lchen has 1 connection(s) open already, the most allowed" in per_user
    assert "deskui: the server is full (2 connections); try again later" in full
    small_server.wait_for_log(
        r"refused lchen from 127\.0\.0\.1:\d+: 1 connection\(s\) open already"
    )
    small_server.wait_for_log(r"refused 127\.0\.0\.1:\d+ \(user 'nobody'\): the server is full")


# ---- ending ----------------------------------------------------------------------


def _desk_pid(server: Server, handle: str) -> int:
    text = server.wait_for_log(rf"desk started for {handle} \(pid \d+\)")
    return int(re.findall(rf"desk started for {handle} \(pid (\d+)\)", text)[-1])


def _gone(pid: int, timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False


def test_a_dropped_connection_ends_the_desk_process(desk: Desk, server: Server) -> None:
    term = Terminal(ssh_argv(server, desk.jmorales_key, "-tt"), env={"SSH_AUTH_SOCK": ""})
    try:
        term.wait_for("All open (")
        pid = _desk_pid(server, "jmorales")
        term.child.kill(signal.SIGKILL)  # the line drops: no goodbye from the client
    finally:
        term.close()
    assert _gone(pid), f"the desk (pid {pid}) outlived its connection"
    server.wait_for_log(r"disconnect jmorales from 127\.0\.0\.1:\d+")


def test_stopping_the_server_ends_open_sessions_with_a_message(desk: Desk, tmp_path: Path) -> None:
    servers = _start_server(desk, tmp_path)
    server = next(servers)
    argv = ssh_argv(server, desk.lchen_key, "-tt")
    child = pexpect.spawn(
        argv[0], argv[1:], env={**os.environ, "SSH_AUTH_SOCK": ""}, dimensions=(24, 80)
    )
    try:
        pid = _desk_pid(server, "lchen")
        server.process.send_signal(signal.SIGTERM)
        child.expect("deskui: the server is shutting down", timeout=20)
        child.expect(pexpect.EOF, timeout=10)
        assert server.process.wait(timeout=15) == 0
        assert _gone(pid)
    finally:
        child.close(force=True)
        next(servers, None)
