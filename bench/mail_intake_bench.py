"""Mail intake benchmark: messages filed per second through ``deskui serve lmtp`` against
seconds per message through the MTA pipe (``deskui mail ingest``, a process per message).

Run: ``.venv/bin/python bench/mail_intake_bench.py`` (``--quick`` for fewer messages). Both
paths file new tickets into the same kind of fresh SQLite desk (sample data seeded); the LMTP
server runs as its own process and one client connection sends the messages one after another,
the pipe starts ``python -m deskui mail ingest`` for each. Figures are printed, not asserted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from email.message import EmailMessage
from pathlib import Path

from deskui.services.catalog.seeding import seed_directory
from deskui.store.migrate import upgrade
from deskui.store.session import Database

SAMPLE_DATA = Path(__file__).resolve().parents[1] / "sample_data"
NOW = "2026-11-24T14:00:00+00:00"
CONTACTS = (
    "maria.lopez@acme-foods.example",
    "colleen@maritime-health.example",
    "r.hale@oakfield-music.example",
    "sophie@bramble-gifts.example",
)


def message(number: int) -> bytes:
    mail = EmailMessage()
    mail["From"] = CONTACTS[number % len(CONTACTS)]
    mail["To"] = "support@desk.example"
    mail["Subject"] = f"Benchmark message {number}"
    mail["Message-ID"] = f"<bench{number}.{time.time_ns()}@bench.example>"
    mail.set_content(f"Message {number}: the report will not print.\n" * 5)
    return mail.as_bytes().replace(b"\n", b"\r\n").replace(b"\r\r\n", b"\r\n")


def fresh_desk(directory: Path, name: str) -> str:
    url = f"sqlite:///{directory / name}"
    upgrade(url)
    database = Database(url)
    try:
        seed_directory(database, SAMPLE_DATA, now=dt.datetime(2026, 11, 23, tzinfo=dt.UTC))
    finally:
        database.dispose()
    return url


def environment() -> dict[str, str]:
    env = {**os.environ, "DESKUI_NOW": NOW, "DESKUI_MAIL_TEAM": "keystone"}
    env.pop("DESKUI_SMTP_HOST", None)
    return env


def _reply(stream) -> str:  # type: ignore[no-untyped-def]
    while True:
        line = stream.readline().decode()
        if len(line) < 4 or line[3] != "-":
            return line


def time_lmtp(url: str, count: int) -> float:
    process = subprocess.Popen(
        [sys.executable, "-m", "deskui", "serve", "lmtp", "--listen", "127.0.0.1:0", "--db", url],
        env=environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert process.stdout is not None
        port = int(re.search(r":(\d+)", process.stdout.readline().decode()).group(1))  # type: ignore[union-attr]
        sock = socket.create_connection(("127.0.0.1", port))
        stream = sock.makefile("rb")
        _reply(stream)
        sock.sendall(b"LHLO bench\r\n")
        _reply(stream)
        messages = [message(n) for n in range(count)]
        started = time.perf_counter()
        for raw in messages:
            sock.sendall(b"MAIL FROM:<bench@bench.example>\r\n")
            _reply(stream)
            sock.sendall(b"RCPT TO:<support@desk.example>\r\n")
            _reply(stream)
            sock.sendall(b"DATA\r\n")
            _reply(stream)
            sock.sendall(raw + b"\r\n.\r\n")
            answer = _reply(stream)
            assert answer.startswith("250"), answer
        elapsed = time.perf_counter() - started
        sock.sendall(b"QUIT\r\n")
        sock.close()
        return elapsed
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)


def time_pipe(url: str, count: int) -> float:
    started = time.perf_counter()
    for number in range(count):
        done = subprocess.run(
            [sys.executable, "-m", "deskui", "mail", "ingest", "--db", url],
            input=message(number),
            env=environment(),
            capture_output=True,
        )
        assert done.returncode == 0, done.stderr
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer messages")
    args = parser.parse_args(argv)
    lmtp_count, pipe_count = (50, 3) if args.quick else (500, 10)
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        lmtp = time_lmtp(fresh_desk(directory, "lmtp.db"), lmtp_count)
        pipe = time_pipe(fresh_desk(directory, "pipe.db"), pipe_count)
    print(
        f"LMTP: {lmtp_count} messages in {lmtp:.2f} s = {lmtp_count / lmtp:.1f} msgs/s "
        f"({1000 * lmtp / lmtp_count:.1f} ms a message)"
    )
    print(f"pipe: {pipe_count} messages in {pipe:.2f} s = {pipe / pipe_count:.2f} s a message")
    return 0


if __name__ == "__main__":
    sys.exit(main())
