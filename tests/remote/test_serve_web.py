"""`deskui serve web` end to end: the textual-serve page over HTTP on loopback, the desk over its
websocket, and a clean stop on SIGTERM."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import aiohttp

REPO = Path(__file__).resolve().parents[2]
NOW = "2026-12-01T15:00:00+00:00"


def _deskui() -> str:
    found = shutil.which("deskui", path=str(Path(sys.executable).parent))
    assert found is not None, "the deskui console script is not installed next to this Python"
    return found


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(url: str, timeout: float = 20.0) -> tuple[int, str]:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.status, response.read().decode("utf-8")
        except (urllib.error.URLError, ConnectionError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


async def _desk_output(url: str, needle: str, timeout: float = 30.0) -> str:
    """What the desk sends down the websocket until ``needle`` shows up."""
    seen = ""
    async with aiohttp.ClientSession() as session, session.ws_connect(url) as websocket:
        deadline = time.monotonic() + timeout
        while needle not in seen:
            left = deadline - time.monotonic()
            assert left > 0, f"{needle!r} never came down the websocket: {seen[-500:]!r}"
            message = await websocket.receive(timeout=left)
            if message.type == aiohttp.WSMsgType.BINARY:
                seen += message.data.decode("utf-8", "replace")
            elif message.type == aiohttp.WSMsgType.TEXT:
                seen += message.data
            else:
                raise AssertionError(f"the websocket ended ({message.type}): {seen[-500:]!r}")
    return seen


def test_serve_web_page_and_desk(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    env = {**os.environ, "DESKUI_NOW": NOW, "XDG_STATE_HOME": str(tmp_path / "state")}
    built = subprocess.run(
        [_deskui(), "--db", url, "demo", "--no-app", "--data", str(REPO / "sample_data")],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr
    port = _free_port()
    log = tmp_path / "web.log"
    with log.open("w", encoding="utf-8") as log_file:
        server = subprocess.Popen(
            [_deskui(), "--db", url, "serve", "web", "--listen", f"127.0.0.1:{port}",
             "--as", "lchen"],
            env=env, stdout=log_file, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        status, page = _get(f"http://127.0.0.1:{port}/")
        assert status == 200
        assert "/static/js/textual.js" in page  # the textual-serve page
        assert f"ws://127.0.0.1:{port}/ws" in page
        assert "deskui — lchen" in page
        # Wait for the header's name itself: the handle can come down first (in the title),
        # and on a loaded machine the header's paint arrives in a later message.
        output = asyncio.run(
            _desk_output(f"ws://127.0.0.1:{port}/ws?width=100&height=30", "Lin Chen")
        )
        assert "Lin Chen" in output
        # The desk process runs with the server's settings: its clock is the frozen one.
        assert "Tue 01 Dec 09:00" in output
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            code = server.wait(timeout=20)
        finally:
            if server.poll() is None:
                server.kill()
    assert code == 0, log.read_text(encoding="utf-8")
