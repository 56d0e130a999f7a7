"""Many agents over SSH at once: ``deskui serve ssh`` with N concurrent sessions on loopback.

Run: ``.venv/bin/python bench/ssh_bench.py`` (``--sessions 50`` by default, ``--quick`` for 5;
``--idle 30`` seconds of idle measured). A demo SQLite desk is built in a scratch directory, one
agent's key is added, and the server is started with ``--max-sessions N`` (and a per-agent limit
high enough for one agent to hold them all). N asyncssh clients then connect at the same moment,
each asking for a 120×40 terminal; for each, the time from connecting to the queue's tab title
("All open (") appearing in its output is its time to first paint. With all sessions open, the
RSS of every desk process (their pids come from the server's log) and of the server is read,
then their CPU time over the idle window. Finally one more client connects: past the limit it
must be refused with the server's one-line reason, which is printed.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import asyncssh

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SAMPLE_DATA = REPO / "sample_data"
AGENT = "lchen"
PAINTED = "All open ("
# Escape sequences removed from a session's output before looking for the painted text.
_ESCAPES = re.compile(
    rb"\x1b(\[[0-9;?<>=]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[()][0-9A-Za-z]|.)"
)
_TICKS = os.sysconf("SC_CLK_TCK")


def _deskui() -> str:
    found = shutil.which("deskui", path=str(Path(sys.executable).parent))
    return found or "deskui"


def _cli(url: str, env: dict[str, str], *args: str) -> None:
    subprocess.run([_deskui(), "--db", url, *args], check=True, capture_output=True, env=env)


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except FileNotFoundError:
        pass
    return 0.0


def cpu_seconds(pid: int) -> float:
    """User plus system CPU of ``pid`` so far (all its threads)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICKS


async def open_session(
    port: int, key: asyncssh.SSHKey
) -> tuple[float, asyncssh.SSHClientConnection]:
    """Connect, ask for a terminal, wait for the painted queue; seconds taken."""
    started = time.perf_counter()
    connection = await asyncssh.connect(
        "127.0.0.1", port, username=AGENT, client_keys=[key], agent_path=None, known_hosts=None
    )
    process = await connection.create_process(
        term_type="xterm-256color", term_size=(120, 40), encoding=None
    )
    seen = b""
    while True:
        chunk = await process.stdout.read(65536)
        if not chunk:
            raise RuntimeError(f"the session ended before painting: {seen[-300:]!r}")
        seen = (seen + chunk)[-200_000:]
        if PAINTED.encode() in _ESCAPES.sub(b"", seen):
            return time.perf_counter() - started, connection


async def refused_reason(port: int, key: asyncssh.SSHKey) -> str:
    """What a client past the limit is told."""
    try:
        async with asyncssh.connect(
            "127.0.0.1", port, username=AGENT, client_keys=[key], agent_path=None, known_hosts=None
        ) as connection:
            result = await connection.run(term_type="xterm", term_size=(80, 24), timeout=30)
            return str(result.stderr or result.stdout).strip().splitlines()[-1]
    except (asyncssh.Error, OSError) as exc:
        return f"{type(exc).__name__}: {exc}"


def spread(values: list[float], unit: str) -> str:
    return (
        f"min {min(values):.2f} / median {statistics.median(values):.2f} / "
        f"max {max(values):.2f} {unit}"
    )


async def scenario(
    port: int, key: asyncssh.SSHKey, sessions: int, idle: float, log: Path, server_pid: int
) -> None:
    print(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} (1, 5 min)")
    started = time.perf_counter()
    opened = await asyncio.gather(*(open_session(port, key) for _ in range(sessions)))
    print(
        f"{sessions} sessions painted in {time.perf_counter() - started:.1f} s; "
        f"first paint per session {spread([t for t, _ in opened], 's')}",
        flush=True,
    )
    try:
        pids = [int(p) for p in re.findall(r"desk started for \S+ \(pid (\d+)\)", log.read_text())]
        memory = [rss_mb(pid) for pid in pids]
        print(
            f"memory: {len(pids)} desk processes, RSS {spread(memory, 'MB')}, "
            f"{sum(memory) / 1024:.2f} GB in all; server {rss_mb(server_pid):.0f} MB",
            flush=True,
        )
        await asyncio.sleep(3)  # the last sessions' first reads settle
        before = {pid: cpu_seconds(pid) for pid in [server_pid, *pids]}
        window = time.monotonic()
        await asyncio.sleep(idle)
        window = time.monotonic() - window
        used = {pid: cpu_seconds(pid) - before[pid] for pid in before}
        desks = [used[pid] for pid in pids]
        print(
            f"idle {window:.0f} s: all {sessions} desks "
            f"{100 * sum(desks) / window:.1f} % of a core "
            f"(per desk {spread([100 * d / window for d in desks], '%')}), server "
            f"{100 * used[server_pid] / window:.2f} %; load {os.getloadavg()[0]:.1f}",
            flush=True,
        )
        reason = await refused_reason(port, key)
        print(f"session {sessions + 1} (past --max-sessions {sessions}): {reason}")
    finally:
        for _, connection in opened:
            connection.close()
        await asyncio.gather(*(c.wait_closed() for _, c in opened), return_exceptions=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=50)
    parser.add_argument("--idle", type=float, default=30.0, help="idle seconds measured")
    parser.add_argument("--quick", action="store_true", help="5 sessions, 10 s idle")
    args = parser.parse_args(argv)
    sessions, idle = (5, 10.0) if args.quick else (args.sessions, args.idle)
    with tempfile.TemporaryDirectory(prefix="deskui-ssh-bench-") as scratch:
        root = Path(scratch)
        url = f"sqlite:///{root / 'desk.db'}"
        env = {k: v for k, v in os.environ.items() if not k.startswith("SSH_")}
        env["XDG_STATE_HOME"] = str(root / "state")
        _cli(url, env, "demo", "--no-app", "--data", str(SAMPLE_DATA))
        key = asyncssh.generate_private_key("ssh-ed25519", comment="bench@loopback")
        (root / "agent.pub").write_bytes(key.export_public_key())
        _cli(url, env, "agent", "add-key", AGENT, str(root / "agent.pub"))
        log = root / "server.log"
        with log.open("w") as log_file:
            server = subprocess.Popen(
                [_deskui(), "--db", url, "serve", "ssh", "--listen", "127.0.0.1:0",
                 "--host-key", str(root / "host_key"), "--max-sessions", str(sessions),
                 "--max-per-user", str(sessions + 1)],
                env=env, stdout=subprocess.PIPE, stderr=log_file, text=True,
            )  # fmt: skip
        try:
            assert server.stdout is not None
            found = re.search(r"SSH on 127\.0\.0\.1:(\d+)", server.stdout.readline())
            if not found:
                print(f"the server did not start:\n{log.read_text()}")
                return 1
            asyncio.run(scenario(int(found.group(1)), key, sessions, idle, log, server.pid))
        finally:
            server.terminate()
            try:
                server.wait(timeout=60)
            except subprocess.TimeoutExpired:
                server.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
