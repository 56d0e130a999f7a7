"""One browser's desk process: started through textual-serve's ``AppService``, and ended for
sure when the browser leaves or the server stops.

``AppService.stop`` asks the desk to quit and then waits for its output to end, with no limit:
a desk that is stuck (or never started talking) would keep the browser's handler waiting and,
once the server gave up on the handler, live on as an orphan. So the quit request gets a grace
period; after it the desk is terminated, and killed if it still has not gone.

textual-serve runs the command through a shell. The command starts with ``exec`` so that the
shell becomes the desk, and the process that is terminated is the desk itself and not a shell
whose child outlives it.
"""

from __future__ import annotations

import asyncio
import logging
import shlex
from collections.abc import Sequence
from contextlib import suppress

from textual_serve.app_service import AppService

log = logging.getLogger(__name__)


def shell_command(argv: Sequence[str]) -> str:
    """The command line textual-serve's shell runs: the desk itself, in place of the shell."""
    return "exec " + shlex.join(argv)


async def end_desk(service: AppService, *, grace: float) -> None:
    """Ask the desk to quit; terminate it after ``grace`` seconds, kill it after as many more."""
    # textual-serve keeps the process to itself; there is no public handle on it.
    process: asyncio.subprocess.Process | None = getattr(service, "_process", None)
    try:
        await asyncio.wait_for(service.stop(), grace)
    except TimeoutError:
        log.warning("a desk did not quit within %.0f s; terminating it", grace)
    finally:
        # Also when this handler is cancelled (the server is stopping): the desk must not
        # outlive it.
        if process is not None and process.returncode is None:
            await _stop_process(process, grace)


async def _stop_process(process: asyncio.subprocess.Process, grace: float) -> None:
    with suppress(ProcessLookupError):
        process.terminate()
    try:
        await asyncio.wait_for(process.wait(), grace)
    except TimeoutError:
        with suppress(ProcessLookupError):
            process.kill()
        await process.wait()
