"""`deskui serve web`: the desk in a browser through textual-serve, on localhost by default.

textual-serve starts one desk process per browser tab (the command line given here, through
the shell) and relays it over a websocket. It has no authentication of its own: put it behind
an authenticating reverse proxy (see the README), never on a public interface.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence

from textual_serve.server import Server


def serve_web(
    command: Sequence[str], *, host: str, port: int, title: str, public_url: str | None = None
) -> None:
    """Serve ``command`` (an argv) on ``host:port`` until SIGINT or SIGTERM.

    ``public_url`` is the address browsers use (a proxy's), from which the page builds its
    websocket and asset URLs; by default ``http://host:port``.
    """
    server = Server(shlex.join(command), host=host, port=port, title=title, public_url=public_url)
    server.serve()
