"""The plan for the whole run: when each ticket opens, under which contract, and which are
still open. Made once for all ``n`` tickets (a few arrays), then worked in chunks.

- Opening times cover the past two years with a density rising linearly (more recent =
  denser). Most are moved into the team calendar's open hours: the same share of the window,
  measured in business time instead of wall time, so they spread evenly over opening hours.
- The contract is drawn among those active at that moment, weighted by how busy the client
  is (a lognormal weight per client). A small share come from clients with no active
  contract at the time: not entitled.
- The open tickets are the newest by opening time minus a random "still open" spread, so
  most are recent and a few are old stragglers; ``open_age`` ranks them, newest first.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from deskui.services.catalog.generate.mixes import AFTER_HOURS_SHARE, AFTER_HOURS_SHARE_BY_TEAM
from deskui.services.catalog.generate.world import World

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]

DAY = 86_400
HISTORY_DAYS = 730
UNENTITLED_SHARE = 0.02
# The open set: newest by (opened - exponential spread + laplace jitter), in days.
OPEN_SPREAD_DAYS = 10.0
OPEN_JITTER_DAYS = 3.0
_BLOCK = 100_000


@dataclass(frozen=True)
class Plan:
    """Per ticket, oldest first: opening instant (epoch s), contract index, entitlement,
    whether it is still open and, for open ones, its age rank among them (0 newest … 1)."""

    opened: Ints
    contract: Ints
    entitled: Bools
    open: Bools
    open_age: Floats


def plan_tickets(world: World, n: int, open_fraction: float, now: int, seed: int) -> Plan:
    rng = np.random.default_rng([seed, 0])
    low, high = now - HISTORY_DAYS * DAY, now - 60
    # Inverse of the CDF of a density rising from 0.25 to 1.25 across [0, 1].
    share = -0.25 + np.sqrt(0.0625 + 1.5 * rng.random(n))
    wall = low + np.floor(share * (high - low)).astype(np.int64)
    contract, entitled = _contracts(world, wall, rng)

    contracts = world.contracts
    starts = np.array([c.starts for c in contracts], dtype=np.int64)
    ends = np.array([c.ends for c in contracts], dtype=np.int64)
    team = np.array([c.team for c in contracts], dtype=np.int64)[contract]
    after_hours = np.array(
        [AFTER_HOURS_SHARE_BY_TEAM.get(t.slug, AFTER_HOURS_SHARE) for t in world.teams]
    )
    in_hours = rng.random(n) >= after_hours[team]
    opened = wall.copy()
    for t, spec in enumerate(world.teams):
        mask = in_hours & (team == t)
        if not mask.any():
            continue
        calendar = world.book.get(spec.calendar)
        span = calendar.elapsed_epoch(low, high)
        offsets = np.floor(share[mask] * span).astype(np.int64)
        opened[mask] = calendar.add_many(np.full(len(offsets), low, dtype=np.int64), offsets)
    # Near a contract's first or last day the move may leave it: keep the wall-clock time
    # then. Tickets without entitlement keep it too (a lapsed client calls at any hour).
    inside = (opened >= starts[contract]) & (opened < ends[contract])
    opened = np.minimum(np.where(entitled & inside, opened, wall), high)

    order = np.argsort(opened, kind="stable")
    opened, contract, entitled = opened[order], contract[order], entitled[order]

    is_open = np.zeros(n, dtype=np.bool_)
    open_age = np.full(n, np.nan)
    count = round(open_fraction * n)
    if count:
        score = (
            opened
            - rng.exponential(OPEN_SPREAD_DAYS * DAY, n)
            + rng.laplace(0.0, OPEN_JITTER_DAYS * DAY, n)
        )
        chosen = np.argpartition(-score, count - 1)[:count]
        is_open[chosen] = True
        newest_first = chosen[np.argsort(-opened[chosen], kind="stable")]
        open_age[newest_first] = np.arange(count) / max(count - 1, 1)
    return Plan(opened, contract, entitled, is_open, open_age)


def _contracts(world: World, wall: Ints, rng: np.random.Generator) -> tuple[Ints, Bools]:
    """A contract per ticket: among those active at ``wall`` (weighted by client), or for a
    few, or when none is active, one of a client that has no active contract then."""
    contracts = world.contracts
    n = len(wall)
    client_weight = rng.lognormal(0.0, 0.5, len(world.organisations))
    owner = np.array([c.organisation for c in contracts], dtype=np.int64)
    weights = client_weight[owner]
    starts = np.array([c.starts for c in contracts], dtype=np.int64)
    ends = np.array([c.ends for c in contracts], dtype=np.int64)
    want_lapsed = rng.random(n) < UNENTITLED_SHARE
    pick = rng.random(n)
    chosen = np.empty(n, dtype=np.int64)
    entitled = np.empty(n, dtype=np.bool_)
    for a in range(0, n, _BLOCK):
        b = min(n, a + _BLOCK)
        t = wall[a:b, None]
        active = (t >= starts[None, :]) & (t < ends[None, :])
        client_active = np.zeros((b - a, len(world.organisations)), dtype=np.bool_)
        for c in range(len(contracts)):
            client_active[:, owner[c]] |= active[:, c]
        lapsed = ~client_active[:, owner]
        use_lapsed = (want_lapsed[a:b] & lapsed.any(axis=1)) | ~active.any(axis=1)
        allowed = np.where(use_lapsed[:, None], lapsed, active)
        cumulative = np.cumsum(allowed * weights[None, :], axis=1)
        # Nothing allowed at all (no client at that time): any contract, not entitled.
        cumulative = np.where(cumulative[:, -1:] > 0, cumulative, np.cumsum(weights)[None, :])
        target = pick[a:b] * cumulative[:, -1]
        index = (cumulative <= target[:, None]).sum(axis=1)
        chosen[a:b] = np.minimum(index, len(contracts) - 1)
        entitled[a:b] = ~use_lapsed
    return chosen, entitled
