"""What the fuzz suites share: how many examples to run, and hostile text and bytes.

``make test`` runs the ``default`` profile: a few hundred examples across the suites, seeded
(``derandomize``) so a run is reproducible and a failure shows up again on the next run. The
``nightly`` profile (``HYPOTHESIS_PROFILE=nightly``) runs twenty times as many, with fresh
random data each time, for a scheduled job. Deadlines are off: a loaded CI box is slow and a
slow example is not a bug (the suites assert outcomes, not speed).
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "default")
NIGHTLY = PROFILE == "nightly"
_SCALE = 20 if NIGHTLY else 1


def fuzz_settings(examples: int) -> settings:
    """``examples`` in ``make test`` (twenty times as many at night), no deadline."""
    return settings(
        max_examples=examples * _SCALE,
        deadline=None,
        derandomize=not NIGHTLY,
        database=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.large_base_example,
        ],
    )


# Text that has broken terminals, markup parsers, databases and parsers before.
NASTY_SNIPPETS = (
    "\x00",
    "\x1b[2J\x1b[H",
    "\x1b]0;pwned\x07",
    "\x9b31m",
    "[bold red]markup[/]",
    "[/]",
    "[link=file:///etc/passwd]x[/link]",
    "<script>alert(1)</script>",
    "\u202eevil\u202c",
    "\u200b\ufeff",
    "\ud800",
    "\udcff",
    "%s%n%x",
    "{0}{__class__}",
    "'; DROP TABLE ticket; --",
    "\r\n\r\n",
    "\\",
    "é" * 3,
    "😀",
    "-",
    "--",
    "",
    " ",
)

nasty_text = st.one_of(
    st.sampled_from(NASTY_SNIPPETS),
    st.text(max_size=40),
    st.lists(st.sampled_from(NASTY_SNIPPETS), max_size=4).map("".join),
)
