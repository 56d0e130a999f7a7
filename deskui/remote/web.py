"""`deskui serve web`: the desk in a browser, one desk process per signed-in browser tab.

Every browser signs in first (handle and the secret from ``deskui agent web-login``) on a page
of this server's own; only then does the page open the websocket that starts a desk process
(through textual-serve's ``AppService``), and that process runs as the signed-in agent. The
websocket of a browser without a live session is refused before any process starts.

Sessions live in this process's memory (a restart signs everyone out) and expire after a fixed
time; an open desk is closed when its session expires. Failed sign-ins are counted per handle
and per address: past the limit, sign-ins are refused without checking the secret until the
window has passed. Every refusal is handed to ``record_refusal`` (the audit trail).

The pages load nothing from elsewhere: textual-serve's page links a web font from the
internet, so this server serves its own pages, with the Roboto Mono that textual-serve ships
as a local font (and the browser's monospace font behind it).
"""

from __future__ import annotations

import asyncio
import html
import ipaddress
import logging
import secrets
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from string import Template
from typing import Any
from urllib.parse import urlsplit

import textual_serve
from aiohttp import WSMsgType, web
from textual_serve.app_service import AppService
from textual_serve.download_manager import DownloadManager

from deskui.remote.web_desk_process import end_desk, shell_command

log = logging.getLogger("deskui.web")

COOKIE = "deskui_session"
_PAGES = files("deskui.remote").joinpath("web_pages")
_TEXTUAL_STATIC = Path(textual_serve.__file__).resolve().parent / "static"
# What one sign-in form may carry; anything longer is not a handle and a secret.
_FIELD_LIMIT = 200


@dataclass(frozen=True, slots=True)
class SignedIn:
    """Who a sign-in signed in (from ``sign_in``)."""

    handle: str
    name: str


@dataclass(frozen=True)
class WebConfig:
    """What ``serve_web`` needs; the callables do the database work (in a worker thread)."""

    host: str
    port: int
    title: str
    desk_command: Callable[[str], Sequence[str]]
    sign_in: Callable[[str, str], SignedIn | None]
    record_refusal: Callable[[str, str, str], None]  # handle, address, reason
    public_url: str | None = None
    session_seconds: float = 8 * 3600.0
    max_failures: int = 5
    failure_window: float = 15 * 60.0
    # A single-user local desk (``serve web --as``): no sign-in, everyone is this agent.
    single_agent: SignedIn | None = None
    # How long a desk has to quit when its browser leaves, before it is terminated.
    desk_quit_seconds: float = 10.0

    @property
    def url(self) -> str:
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")


@dataclass
class WebSession:
    handle: str
    name: str
    expires: float  # time.monotonic()

    def seconds_left(self) -> float:
        return self.expires - time.monotonic()


@dataclass
class Throttle:
    """Failed sign-ins in the last ``window`` seconds, per key (a handle or an address)."""

    limit: int
    window: float
    _failures: dict[str, deque[float]] = field(default_factory=dict)

    def _recent(self, key: str) -> deque[float]:
        times = self._failures.setdefault(key, deque())
        now = time.monotonic()
        while times and now - times[0] > self.window:
            times.popleft()
        return times

    def forget_old(self) -> None:
        """Drop keys with no failure left in the window (so the table does not grow)."""
        for key in list(self._failures):
            if not self._recent(key):
                del self._failures[key]

    def wait(self, *keys: str) -> float:
        """Seconds until ``keys`` may try again (0: now)."""
        waits = [0.0]
        for key in keys:
            times = self._recent(key)
            if len(times) >= self.limit:
                waits.append(self.window - (time.monotonic() - times[0]))
        return max(waits)

    def failed(self, *keys: str) -> None:
        for key in keys:
            self._recent(key).append(time.monotonic())

    def clear(self, key: str) -> None:
        self._failures.pop(key, None)


def _page(name: str, **values: str) -> str:
    """A page from ``web_pages/`` with ``values`` (already escaped) filled in."""
    return Template(_PAGES.joinpath(name).read_text(encoding="utf-8")).substitute(values)


def _html(text: str, status: int = 200) -> web.Response:
    response = web.Response(text=text, status=status, content_type="text/html")
    response.headers["Cache-Control"] = "no-store"
    return response


@web.middleware
async def _security_headers(request: web.Request, handler: Any) -> web.StreamResponse:
    response: web.StreamResponse = await handler(request)
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    # Not "no-referrer": under it browsers send "Origin: null" on the page's own form posts.
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault(
        "Content-Security-Policy", "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
    )
    return response


class WebDesk:
    """The aiohttp application: sign-in pages, the desk page and its websocket."""

    def __init__(self, config: WebConfig) -> None:
        self.config = config
        self.sessions: dict[str, WebSession] = {}
        self.throttle = Throttle(config.max_failures, config.failure_window)
        self.downloads = DownloadManager()
        self.desks_started = 0  # desk processes started, for the log and the tests
        self.open_desks: dict[web.WebSocketResponse, str] = {}  # -> the session's token
        url = urlsplit(config.url)
        self.origin = f"{url.scheme}://{url.netloc}"
        # Behind a proxy at a path (https://desk.example.com/desk/ -> this server's /), the
        # redirects and the cookie name that path.
        self.base = url.path.rstrip("/")
        self.secure = url.scheme == "https"
        self.static_url = f"{config.url}/static/"
        scheme = "wss" if self.secure else "ws"
        self.websocket_url = f"{scheme}:{config.url.split(':', 1)[1]}/ws"

    def application(self) -> web.Application:
        app = web.Application(middlewares=[_security_headers], client_max_size=16 * 1024)
        app.on_shutdown.append(self._close_desks)
        app.add_routes(
            [
                web.get("/", self.desk_page),
                web.get("/sign-in", self.sign_in_page),
                web.post("/sign-in", self.sign_in),
                web.post("/sign-out", self.sign_out),
                web.get("/ws", self.websocket),
                web.get("/download/{key}", self.download),
                web.static("/static", _TEXTUAL_STATIC),
            ]
        )
        return app

    async def _close_desks(self, _app: web.Application) -> None:
        # On SIGTERM: end every open desk (each stops its process), so the server can exit.
        for websocket in list(self.open_desks):
            await websocket.close(code=1001, message=b"server shutting down")

    async def _close_desks_of(self, token: str) -> None:
        for websocket, owner in list(self.open_desks.items()):
            if owner == token:
                await websocket.close(message=b"signed out")

    # ---- sessions ----------------------------------------------------------------------

    def session_of(self, request: web.Request) -> WebSession | None:
        """The live session the request's cookie names, if any (expired ones are dropped)."""
        single = self.config.single_agent
        if single is not None:
            return WebSession(single.handle, single.name, time.monotonic() + 3600 * 24 * 365)
        token = request.cookies.get(COOKIE)
        if not token:
            return None
        session = self.sessions.get(token)
        if session is None:
            return None
        if session.seconds_left() <= 0:
            del self.sessions[token]
            return None
        return session

    def _same_origin(self, request: web.Request) -> bool:
        # Browsers send Origin on form posts and websockets; a page elsewhere must not be able
        # to drive a signed-in browser's desk (the cookie is SameSite=Strict as well).
        origin = request.headers.get("Origin")
        return origin is None or origin == self.origin

    # ---- pages -------------------------------------------------------------------------

    def _sign_in_html(self, message: str = "", handle: str = "", status: int = 200) -> web.Response:
        return _html(
            _page(
                "sign_in.html",
                title=html.escape(self.config.title),
                static=html.escape(self.static_url),
                message=html.escape(message),
                handle=html.escape(handle),
                base=html.escape(self.base),
            ),
            status,
        )

    async def sign_in_page(self, request: web.Request) -> web.StreamResponse:
        if self.session_of(request) is not None:
            raise web.HTTPSeeOther(f"{self.base}/")
        expired = request.query.get("expired") == "1"
        return self._sign_in_html("Your session has expired: sign in again." if expired else "")

    async def desk_page(self, request: web.Request) -> web.StreamResponse:
        session = self.session_of(request)
        if session is None:
            raise web.HTTPSeeOther(
                f"{self.base}/sign-in?expired=1"
                if request.cookies.get(COOKIE)
                else f"{self.base}/sign-in"
            )
        font_size = request.query.get("fontsize", "16")
        font_size = font_size if font_size.isdigit() and 6 <= int(font_size) <= 64 else "16"
        return _html(
            _page(
                "desk.html",
                title=html.escape(f"{self.config.title} — {session.name}"),
                static=html.escape(self.static_url),
                agent_name=html.escape(session.name),
                agent_handle=html.escape(session.handle),
                websocket_url=html.escape(self.websocket_url),
                font_size=font_size,
                expires_in=str(int(session.seconds_left())),
                base=html.escape(self.base),
            )
        )

    async def sign_in(self, request: web.Request) -> web.StreamResponse:
        if not self._same_origin(request):
            raise web.HTTPForbidden(text="sign-in from another site refused")
        form = await request.post()
        handle = str(form.get("handle", "")).strip()[:_FIELD_LIMIT]
        secret = str(form.get("secret", ""))[:_FIELD_LIMIT]
        address = client_address(request)
        keys = (f"handle:{handle.lower()}", f"address:{address}")
        wait = self.throttle.wait(*keys)
        if wait > 0:
            await self._refused(handle, address, "too many failed sign-ins")
            minutes = max(1, round(wait / 60))
            message = f"Too many failed sign-ins: try again in {minutes} minute(s)."
            return self._sign_in_html(message, handle, status=429)
        agent = None
        if handle and secret:
            agent = await asyncio.to_thread(self.config.sign_in, handle, secret)
        if agent is None:
            self.throttle.failed(*keys)
            await self._refused(handle, address, "wrong handle or secret")
            return self._sign_in_html("Wrong handle or secret.", handle, status=401)
        self.throttle.clear(keys[0])
        self._forget_expired()
        token = secrets.token_urlsafe(32)
        self.sessions[token] = WebSession(
            agent.handle, agent.name, time.monotonic() + self.config.session_seconds
        )
        log.info("%s signed in from %s", agent.handle, address)
        response = web.HTTPSeeOther(f"{self.base}/")
        # No max-age: the server ends the session, and a browser that still sends the cookie
        # afterwards is told its session expired.
        response.set_cookie(
            COOKIE,
            token,
            path=f"{self.base}/",
            httponly=True,
            samesite="Strict",
            secure=self.secure,
        )
        raise response

    def _forget_expired(self) -> None:
        for token, session in list(self.sessions.items()):
            if session.seconds_left() <= 0:
                del self.sessions[token]
        self.throttle.forget_old()

    async def _refused(self, handle: str, address: str, reason: str) -> None:
        log.warning("web sign-in refused for %r from %s: %s", handle, address, reason)
        try:
            await asyncio.to_thread(self.config.record_refusal, handle, address, reason)
        except Exception:  # the audit write failing must not turn a refusal into a 500
            log.exception("could not record a refused web sign-in")

    async def sign_out(self, request: web.Request) -> web.StreamResponse:
        if not self._same_origin(request):
            raise web.HTTPForbidden(text="sign-out from another site refused")
        token = request.cookies.get(COOKIE)
        if token:
            self.sessions.pop(token, None)
            await self._close_desks_of(token)
        response = web.HTTPSeeOther(f"{self.base}/sign-in")
        response.del_cookie(COOKIE, path=f"{self.base}/")
        raise response

    async def download(self, request: web.Request) -> web.StreamResponse:
        if self.session_of(request) is None:
            raise web.HTTPUnauthorized(text="sign in first")
        key = request.match_info["key"]
        try:
            meta = await self.downloads.get_download_metadata(key)
        except KeyError:
            raise web.HTTPNotFound(text="no such download") from None
        response = web.StreamResponse()
        content_type = meta.mime_type + (f"; charset={meta.encoding}" if meta.encoding else "")
        response.headers["Content-Type"] = content_type
        disposition = "inline" if meta.open_method == "browser" else "attachment"
        response.headers["Content-Disposition"] = f"{disposition}; filename={meta.file_name}"
        await response.prepare(request)
        async for chunk in self.downloads.download(key):
            await response.write(chunk)
        await response.write_eof()
        return response

    # ---- the desk ----------------------------------------------------------------------

    async def websocket(self, request: web.Request) -> web.StreamResponse:
        session = self.session_of(request)
        if session is None:
            # Before the handshake: no websocket, no desk process.
            raise web.HTTPUnauthorized(text="sign in first")
        if not self._same_origin(request):
            raise web.HTTPForbidden(text="a desk for another site refused")
        websocket = web.WebSocketResponse(heartbeat=15)
        await websocket.prepare(request)
        width = _to_int(request.query.get("width"), 80)
        height = _to_int(request.query.get("height"), 24)

        async def close() -> None:
            await websocket.close()

        service = AppService(
            shell_command(self.config.desk_command(session.handle)),
            write_bytes=websocket.send_bytes,
            write_str=websocket.send_str,
            close=close,
            download_manager=self.downloads,
        )
        self.desks_started += 1
        log.info("desk started for %s", session.handle)
        expiry = asyncio.create_task(_close_at_expiry(websocket, session))
        self.open_desks[websocket] = request.cookies.get(COOKIE, "")
        try:
            await service.start(width, height)
            await _relay(websocket, service)
        except asyncio.CancelledError:
            await websocket.close()
        except Exception:
            log.exception("the desk for %s failed", session.handle)
        finally:
            self.open_desks.pop(websocket, None)
            expiry.cancel()
            await end_desk(service, grace=self.config.desk_quit_seconds)
        return websocket


def client_address(request: web.Request) -> str:
    """The browser's address: the connection's, or, for a connection from this machine (a
    proxy in front), the proxy's ``X-Forwarded-For`` (its last entry, the one it added)."""
    remote = request.remote or "unknown"
    forwarded = request.headers.get("X-Forwarded-For", "")
    if forwarded and _is_loopback(remote):
        return forwarded.split(",")[-1].strip()[:64] or remote
    return remote


def _is_loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


async def _close_at_expiry(websocket: web.WebSocketResponse, session: WebSession) -> None:
    await asyncio.sleep(max(0.0, session.seconds_left()))
    await websocket.close(message=b"session expired")


async def _relay(websocket: web.WebSocketResponse, service: AppService) -> None:
    """The browser's messages (textual-serve's protocol) to the desk process."""
    async for message in websocket:
        if message.type != WSMsgType.TEXT:
            continue
        try:
            envelope = message.json()
        except ValueError:
            continue
        if not isinstance(envelope, list) or not envelope:
            continue
        kind, data = envelope[0], envelope[1] if len(envelope) > 1 else None
        if kind == "stdin" and isinstance(data, str):
            await service.send_bytes(data.encode("utf-8"))
        elif kind == "resize" and isinstance(data, dict):
            await service.set_terminal_size(
                _to_int(data.get("width"), 80), _to_int(data.get("height"), 24)
            )
        elif kind == "ping":
            await websocket.send_json(["pong", data])
        elif kind == "blur":
            await service.blur()
        elif kind == "focus":
            await service.focus()


def _to_int(value: object, default: int) -> int:
    try:
        number = int(str(value))
    except ValueError:
        return default
    return number if 0 < number <= 1000 else default


def serve_web(config: WebConfig, *, on_ready: Callable[[str], None] | None = None) -> None:
    """Serve the web desk on ``config.host:config.port`` until SIGINT or SIGTERM."""
    desk = WebDesk(config)

    async def started(_app: web.Application) -> None:
        if on_ready is not None:
            on_ready(config.url)

    app = desk.application()
    app.on_startup.append(started)
    web.run_app(
        app,
        host=config.host,
        port=config.port,
        print=None,
        access_log=None,
        shutdown_timeout=10,
    )
