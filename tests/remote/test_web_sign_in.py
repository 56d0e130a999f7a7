"""The web desk's sign-in gate, in process (aiohttp's test server, a stand-in desk command):
no page or websocket without a session, wrong secrets refused and audited, the throttle,
expiry, sign-out, two agents side by side, and requests from another site; and a desk process
ends with its browser or the server, even one that does not answer the request to quit."""

from __future__ import annotations

import asyncio
import os
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from aiohttp import ClientSession, ClientWebSocketResponse, WSMsgType, WSServerHandshakeError
from aiohttp.test_utils import TestClient, TestServer

from deskui.remote.web import COOKIE, SignedIn, WebConfig, WebDesk

SECRETS = {"lchen": ("Lin Chen", "lin-secret"), "jmorales": ("Jo Morales", "jo-secret")}


class Audit:
    def __init__(self) -> None:
        self.refusals: list[tuple[str, str, str]] = []

    def record(self, handle: str, address: str, reason: str) -> None:
        self.refusals.append((handle, address, reason))


def sign_in(handle: str, secret: str) -> SignedIn | None:
    name, expected = SECRETS.get(handle, ("", None))
    return SignedIn(handle, name) if secret == expected else None


def desk(audit: Audit, **overrides: object) -> WebDesk:
    # A stand-in desk: a process that waits, so a test can see one was (or was not) started.
    command = [sys.executable, "-c", "import time; time.sleep(30)"]
    fields: dict[str, object] = {
        "host": "127.0.0.1",
        "port": 8000,
        "title": "deskui",
        "desk_command": lambda handle: command,
        "sign_in": sign_in,
        "record_refusal": audit.record,
        "max_failures": 3,
        **overrides,
    }
    return WebDesk(WebConfig(**fields))  # type: ignore[arg-type]


@pytest.fixture
async def served() -> AsyncIterator[tuple[WebDesk, TestServer, Audit]]:
    audit = Audit()
    web_desk = desk(audit)
    server = TestServer(web_desk.application(), host="127.0.0.1")
    await server.start_server()
    try:
        yield web_desk, server, audit
    finally:
        await server.close()


async def client(server: TestServer) -> TestClient:
    test_client = TestClient(server)
    await test_client.start_server()
    return test_client


async def post_sign_in(test_client: TestClient, handle: str, secret: str) -> tuple[int, str]:
    response = await test_client.post(
        "/sign-in", data={"handle": handle, "secret": secret}, allow_redirects=False
    )
    return response.status, await response.text()


async def test_without_a_session_there_is_no_desk_page_and_no_desk_process(served) -> None:
    web_desk, server, _audit = served
    browser = await client(server)
    try:
        response = await browser.get("/", allow_redirects=False)
        assert response.status == 303
        assert response.headers["Location"] == "/sign-in"
        page = await (await browser.get("/sign-in")).text()
        assert 'action="/sign-in"' in page
        assert "googleapis" not in page
        assert "RobotoMono-VariableFont_wght.ttf" in page
        with pytest.raises(WSServerHandshakeError) as refused:
            await browser.ws_connect("/ws")
        assert refused.value.status == 401
        forged = {COOKIE: "made-up"}
        async with ClientSession(cookies=forged) as other:
            with pytest.raises(WSServerHandshakeError):
                await other.ws_connect(server.make_url("/ws"))
        assert web_desk.desks_started == 0
    finally:
        await browser.close()


async def test_a_wrong_secret_is_refused_and_audited(served) -> None:
    _web_desk, server, audit = served
    browser = await client(server)
    try:
        status, page = await post_sign_in(browser, "lchen", "guess")
        assert status == 401
        assert "Wrong handle or secret." in page
        assert 'value="lchen"' in page
        assert "guess" not in page
        status, _page = await post_sign_in(browser, "<b>x</b>", "")
        assert status == 401
        assert [r[2] for r in audit.refusals] == ["wrong handle or secret"] * 2
        assert audit.refusals[0][:2] == ("lchen", "127.0.0.1")
        assert (await browser.get("/", allow_redirects=False)).status == 303
    finally:
        await browser.close()


async def test_too_many_failures_pause_sign_ins_even_with_the_right_secret(served) -> None:
    _web_desk, server, audit = served
    browser = await client(server)
    try:
        for _ in range(3):
            assert (await post_sign_in(browser, "lchen", "guess"))[0] == 401
        status, page = await post_sign_in(browser, "lchen", "lin-secret")
        assert status == 429
        assert "Too many failed sign-ins" in page
        assert audit.refusals[-1][2] == "too many failed sign-ins"
        # The address is throttled too: guessing another handle from it is paused as well.
        assert (await post_sign_in(browser, "jmorales", "jo-secret"))[0] == 429
    finally:
        await browser.close()


async def test_signing_in_gives_a_strict_cookie_and_the_agents_own_name(served) -> None:
    _web_desk, server, _audit = served
    lin, jo = await client(server), await client(server)
    try:
        response = await lin.post(
            "/sign-in", data={"handle": "lchen", "secret": "lin-secret"}, allow_redirects=False
        )
        assert response.status == 303
        assert response.headers["Location"] == "/"
        cookie = response.headers["Set-Cookie"]
        assert "HttpOnly" in cookie
        assert "SameSite=Strict" in cookie
        assert (await post_sign_in(jo, "jmorales", "jo-secret"))[0] == 303
        lin_page = await (await lin.get("/")).text()
        jo_page = await (await jo.get("/")).text()
        assert 'id="agent-name">Lin Chen<' in lin_page
        assert "Jo Morales" not in lin_page
        assert 'id="agent-name">Jo Morales<' in jo_page
        assert "ws://127.0.0.1:8000/ws" in lin_page
    finally:
        await lin.close()
        await jo.close()


async def test_a_signed_in_websocket_starts_a_desk_but_not_from_another_site(served) -> None:
    web_desk, server, _audit = served
    browser = await client(server)
    try:
        assert (await post_sign_in(browser, "lchen", "lin-secret"))[0] == 303
        with pytest.raises(WSServerHandshakeError) as refused:
            await browser.ws_connect("/ws", headers={"Origin": "https://evil.example"})
        assert refused.value.status == 403
        assert web_desk.desks_started == 0
        websocket = await browser.ws_connect("/ws", headers={"Origin": "http://127.0.0.1:8000"})
        await websocket.close()
        assert web_desk.desks_started == 1
        forged = await browser.post(
            "/sign-out", headers={"Origin": "https://evil.example"}, allow_redirects=False
        )
        assert forged.status == 403
    finally:
        await browser.close()


async def test_sign_out_ends_the_session(served) -> None:
    _web_desk, server, _audit = served
    browser = await client(server)
    try:
        await post_sign_in(browser, "lchen", "lin-secret")
        token = browser.session.cookie_jar.filter_cookies(server.make_url("/"))[COOKIE].value
        websocket = await browser.ws_connect("/ws")
        response = await browser.post("/sign-out", allow_redirects=False)
        assert response.headers["Location"] == "/sign-in"
        # The desk open in that session closes with it.
        message = await websocket.receive(timeout=15)
        assert message.type in (WSMsgType.CLOSE, WSMsgType.CLOSED, WSMsgType.CLOSING)
        await websocket.close()
        async with ClientSession(cookies={COOKIE: token}) as replay:
            page = await replay.get(server.make_url("/"), allow_redirects=False)
            assert page.status == 303
    finally:
        await browser.close()


async def test_an_expired_session_reaches_no_desk_and_says_so() -> None:
    audit = Audit()
    web_desk = desk(audit, session_seconds=1.0)
    server = TestServer(web_desk.application(), host="127.0.0.1")
    await server.start_server()
    browser = await client(server)
    try:
        assert (await post_sign_in(browser, "lchen", "lin-secret"))[0] == 303
        token = browser.session.cookie_jar.filter_cookies(server.make_url("/"))[COOKIE].value
        assert (await browser.get("/", allow_redirects=False)).status == 200
        await asyncio.sleep(1.5)
        # The browser drops the cookie at max-age; a client that keeps it is refused anyway.
        async with ClientSession(cookies={COOKIE: token}) as stale:
            page = await stale.get(server.make_url("/"), allow_redirects=False)
            assert page.status == 303
            assert page.headers["Location"] == "/sign-in?expired=1"
            with pytest.raises(WSServerHandshakeError):
                await stale.ws_connect(server.make_url("/ws"))
        assert web_desk.desks_started == 0
        assert web_desk.sessions == {}
    finally:
        await browser.close()
        await server.close()


async def test_behind_a_tls_proxy_at_a_path_the_cookie_is_secure_and_names_the_path() -> None:
    audit = Audit()
    web_desk = desk(audit, public_url="https://desk.example.com/desk/")
    server = TestServer(web_desk.application(), host="127.0.0.1")
    await server.start_server()
    browser = await client(server)
    try:
        assert (await browser.get("/", allow_redirects=False)).headers["Location"] == (
            "/desk/sign-in"
        )
        page = await (await browser.get("/sign-in")).text()
        assert 'action="/desk/sign-in"' in page
        assert "https://desk.example.com/desk/static/" in page
        response = await browser.post(
            "/sign-in",
            data={"handle": "lchen", "secret": "lin-secret"},
            headers={"Origin": "https://desk.example.com", "X-Forwarded-For": "203.0.113.7"},
            allow_redirects=False,
        )
        assert response.headers["Location"] == "/desk/"
        cookie = response.headers["Set-Cookie"]
        assert "Secure" in cookie
        assert "Path=/desk/" in cookie
        refused = await browser.post(
            "/sign-in",
            data={"handle": "lchen", "secret": "guess"},
            headers={"Origin": "https://desk.example.com", "X-Forwarded-For": "203.0.113.9"},
        )
        assert refused.status == 401
        # The proxy's connection is from loopback: the address that counts is the one it adds.
        assert audit.refusals == [("lchen", "203.0.113.9", "wrong handle or secret")]
    finally:
        await browser.close()
        await server.close()


# A desk that never speaks textual-serve's protocol, so never answers "quit": it says who it is
# and sleeps far longer than any bound below.
_SILENT_DESK = (
    "import os, sys, time; open(sys.argv[1], 'w').write(str(os.getpid())); time.sleep(300)"
)


async def desk_pid(pid_file: Path) -> int:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if pid_file.exists() and pid_file.read_text():
            return int(pid_file.read_text())
        await asyncio.sleep(0.05)
    raise AssertionError("the desk process never started")


def running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


async def ended(pid: int) -> bool:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if not running(pid):
            return True
        await asyncio.sleep(0.05)
    return False


@asynccontextmanager
async def a_silent_desk_open(
    tmp_path: Path,
) -> AsyncIterator[tuple[TestServer, ClientWebSocketResponse, int]]:
    """A signed-in browser with its (silent) desk running: the server, the websocket, the pid."""
    pid_file = tmp_path / "desk.pid"
    command = [sys.executable, "-c", _SILENT_DESK, str(pid_file)]
    web_desk = desk(Audit(), desk_command=lambda handle: command, desk_quit_seconds=0.5)
    server = TestServer(web_desk.application(), host="127.0.0.1")
    await server.start_server()
    browser = await client(server)
    try:
        assert (await post_sign_in(browser, "lchen", "lin-secret"))[0] == 303
        websocket = await browser.ws_connect("/ws")
        pid = await desk_pid(pid_file)
        assert running(pid)
        yield server, websocket, pid
    finally:
        await browser.close()
        await server.close()


async def test_a_desk_that_does_not_quit_ends_when_its_browser_leaves(tmp_path: Path) -> None:
    async with a_silent_desk_open(tmp_path) as (_server, websocket, pid):
        await websocket.close()
        assert await ended(pid), "the desk process outlived its browser"


async def test_stopping_the_server_ends_the_open_desks(tmp_path: Path) -> None:
    async with a_silent_desk_open(tmp_path) as (server, _websocket, pid):
        await server.close()  # the browser is still there
        assert await ended(pid), "the desk process outlived the server"
