"""The SSH session's pty plumbing, in-process with an asyncssh client and a small Python child
instead of the desk: the client's terminal type and allowed variables reach the child, the pty
is its controlling terminal, resizes arrive as SIGWINCH with the new size, input flows in, and
the child's exit status comes back."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Sequence
from pathlib import Path

import asyncssh

from deskui.remote.limits import Limits
from deskui.remote.ssh_server import SshConfig, serve_ssh
from deskui.services.access.keys import KeyOwner

CHILD = r"""
import os, select, signal, sys
# os.write, not print: a resize can signal twice (the kernel, then the server), and a handler
# that prints while the program is inside print() fails with "reentrant call".
def say(text):
    os.write(1, (text + "\n").encode())
def size(*_):
    columns, lines = os.get_terminal_size(0)
    say(f"size {lines}x{columns}")
with open("/dev/tty", "rb"):  # fails (ENXIO) without a controlling terminal
    pass
env = os.environ
say(f"env {env.get('TERM')} {env.get('COLORTERM')} {env.get('SECRET')} {sys.argv[1]}")
size()
signal.signal(signal.SIGWINCH, size)
say("ready")
# Wait in short selects, not in one blocking read: a signal landing just before the read
# starts would leave its Python handler pending until input came (CPython's signal race).
while not select.select([0], [], [], 0.1)[0]:
    pass
line = sys.stdin.readline()
say(f"got {line.strip()}")
sys.exit(3)
"""


async def _read_until(process: asyncssh.SSHClientProcess[str], needle: str) -> str:
    seen = ""
    try:
        async with asyncio.timeout(15):
            while needle not in seen:
                chunk = await process.stdout.read(4096)
                assert chunk, f"output ended before {needle!r}: {seen!r}"
                seen += chunk
    except TimeoutError:
        raise AssertionError(f"no {needle!r} within 15 s: {seen!r}") from None
    return seen


async def test_the_session_pty(tmp_path: Path) -> None:
    client_key = asyncssh.generate_private_key("ssh-ed25519")
    owner = KeyOwner("lchen", "Lin Chen", ("agent",), client_key.get_fingerprint("sha256"))
    commands: list[str] = []

    def desk_command(handle: str) -> Sequence[str]:
        commands.append(handle)
        return [sys.executable, "-c", CHILD, handle]

    config = SshConfig(
        host="127.0.0.1",
        port=0,
        host_key=tmp_path / "host_key",
        limits=Limits(),
        desk_command=desk_command,
        desk_env={"PATH": "/usr/bin:/bin", "SECRET": "server-side"},
        key_owner=lambda blob: owner if blob == client_key.public_data else None,
    )
    ready: asyncio.Future[int] = asyncio.get_running_loop().create_future()
    stop = asyncio.Event()
    server = asyncio.create_task(
        serve_ssh(config, on_ready=lambda _h, port, _f: ready.set_result(port), stop=stop)
    )
    try:
        port = await asyncio.wait_for(ready, 10)
        async with asyncssh.connect(
            "127.0.0.1",
            port,
            username="whoever",
            client_keys=[client_key],
            agent_path=None,
            known_hosts=None,
        ) as conn:
            process = await conn.create_process(
                term_type="xterm-256color",
                term_size=(100, 30),
                env={"COLORTERM": "truecolor", "SECRET": "from-the-client"},
            )
            seen = await _read_until(process, "ready")
            # The client's COLORTERM passes; its SECRET does not replace the server's.
            assert "env xterm-256color truecolor server-side lchen" in seen
            assert "size 30x100" in seen
            process.change_terminal_size(120, 40)
            await _read_until(process, "size 40x120")
            process.stdin.write("hello\r")
            await _read_until(process, "got hello")
            result = await asyncio.wait_for(process.wait(), 10)
            assert result.exit_status == 3
        assert commands == ["lchen"]
    finally:
        stop.set()
        await asyncio.wait_for(server, 15)
