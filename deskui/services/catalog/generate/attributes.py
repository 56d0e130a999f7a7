"""Who raised each ticket and what it is about: team, policy and priority, requested priority,
category, channel, contact, product, subject, and the agent who will take it.

- The policy is the contract's; a ticket without entitlement gets the team's default.
- Priorities lean toward the lower ones; the requested priority is usually the assigned one,
  sometimes one higher (customers escalate) or lower, or a mapped alias (Velsoft's "low").
- The contact is one of the contract's liaisons, sometimes another person at the client
  (flagged non-liaison); anyone at the client when the ticket is not entitled.
- The agent is one of the team's agents, a specialist in the product when there is one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from deskui.domain.vocabulary import Category, Channel
from deskui.services.catalog.generate.mixes import (
    CHANNEL_MIX,
    DEFAULT_CHANNEL_MIX,
    SUBJECTS,
    category_mix,
    priority_weights,
)
from deskui.services.catalog.generate.targets import NONE, Targets
from deskui.services.catalog.generate.world import World

Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]

CATEGORIES: tuple[Category, ...] = tuple(Category)
CHANNELS: tuple[Channel, ...] = tuple(Channel)
NON_LIAISON_SHARE = 0.1
# Requested priority relative to the assigned one: same, one higher, one lower.
REQUESTED_SHIFT = ((0, -1, 1), (0.75, 0.2, 0.05))
ALIAS_SHARE = 0.5


@dataclass(frozen=True)
class Attributes:
    team: Ints
    organisation: Ints
    policy: Ints
    rank: Ints
    requested: list[str]
    category: Ints  # index into CATEGORIES
    channel: Ints  # index into CHANNELS
    contact: Ints  # contact id, or NONE
    non_liaison: Bools
    product: Ints  # index into World.products, or NONE
    agent: Ints  # agent id, or NONE
    subject: list[str]


def draw_attributes(
    world: World, targets: Targets, contract: Ints, entitled: Bools, rng: np.random.Generator
) -> Attributes:
    n = len(contract)
    contracts = world.contracts
    team = np.array([c.team for c in contracts], dtype=np.int64)[contract]
    organisation = np.array([c.organisation for c in contracts], dtype=np.int64)[contract]
    contract_policy = np.array([c.policy for c in contracts], dtype=np.int64)[contract]
    team_policy = np.array(
        [NONE if t.policy is None else t.policy for t in world.teams], dtype=np.int64
    )[team]
    policy = np.where(entitled | (team_policy == NONE), contract_policy, team_policy)

    rank = np.zeros(n, dtype=np.int64)
    for p in np.unique(policy).tolist():
        mask = policy == p
        weights = priority_weights(world.policies[p])
        rank[mask] = rng.choice(len(weights), size=int(mask.sum()), p=weights)
    requested = _requested(world, targets, policy, rank, rng)

    category = np.zeros(n, dtype=np.int64)
    for p in np.unique(policy).tolist():
        for r in np.unique(rank[policy == p]).tolist():
            mask = (policy == p) & (rank == r)
            category[mask] = _draw(rng, category_mix(world.policies[p], r), CATEGORIES, mask)
    channel = np.zeros(n, dtype=np.int64)
    for t in np.unique(team).tolist():
        mask = team == t
        mix = CHANNEL_MIX.get(world.teams[t].slug, DEFAULT_CHANNEL_MIX)
        channel[mask] = _draw(rng, mix, CHANNELS, mask)

    contact, non_liaison = _contacts(world, contract, organisation, entitled, rng)
    team_products = [
        tuple(k for k, product in enumerate(world.products) if product.team == t)
        for t in range(len(world.teams))
    ]
    product = choose(rng, team_products, team)
    pools = [*world.product_pools, *world.team_pools]
    agent = choose(rng, pools, np.where(product != NONE, product, len(world.products) + team))
    return Attributes(
        team=team,
        organisation=organisation,
        policy=policy,
        rank=rank,
        requested=requested,
        category=category,
        channel=channel,
        contact=contact,
        non_liaison=non_liaison,
        product=product,
        agent=agent,
        subject=_subjects(world, category, product, rng),
    )


def choose(rng: np.random.Generator, pools: Sequence[Sequence[int]], which: Ints) -> Ints:
    """A random member of ``pools[which[i]]`` for each ``i`` (``NONE`` for an empty pool)."""
    out = np.full(len(which), NONE, dtype=np.int64)
    for k in np.unique(which).tolist():
        pool = pools[k]
        mask = which == k
        if pool:
            picks = rng.integers(len(pool), size=int(mask.sum()))
            out[mask] = np.asarray(pool, dtype=np.int64)[picks]
    return out


def _draw(
    rng: np.random.Generator, mix: Mapping[Any, float], order: Sequence[Any], mask: Bools
) -> Ints:
    keys = list(mix)
    p = np.array([mix[k] for k in keys], dtype=float)
    codes = np.array([order.index(k) for k in keys], dtype=np.int64)
    return codes[rng.choice(len(keys), size=int(mask.sum()), p=p / p.sum())]


def _requested(
    world: World, targets: Targets, policy: Ints, rank: Ints, rng: np.random.Generator
) -> list[str]:
    n = len(policy)
    shifts, weights = REQUESTED_SHIFT
    asked = np.clip(rank + rng.choice(shifts, size=n, p=weights), 0, targets.priorities[policy] - 1)
    alias = rng.random(n) < ALIAS_SHARE
    # Per policy: the slug of each rank, and the first mapped alias of each rank if any.
    slugs = [[p.slug for p in spec.priorities] for spec in world.policies]
    aliases = [
        [next((k for k, v in spec.mapping.items() if v == p.slug), None) for p in spec.priorities]
        for spec in world.policies
    ]
    out = []
    for p, r, a, use_alias in zip(
        policy.tolist(), rank.tolist(), asked.tolist(), alias.tolist(), strict=True
    ):
        mapped = aliases[p][r]
        out.append(mapped if use_alias and mapped is not None else slugs[p][a])
    return out


def _contacts(
    world: World, contract: Ints, organisation: Ints, entitled: Bools, rng: np.random.Generator
) -> tuple[Ints, Bools]:
    contracts = world.contracts
    people = [tuple(c.id for c in o.contacts) for o in world.organisations]
    liaisons = [c.liaisons for c in contracts]
    others = [
        tuple(cid for cid in people[c.organisation] if cid not in c.liaisons) for c in contracts
    ]
    liaison = choose(rng, liaisons, contract)
    other = choose(rng, others, contract)
    anyone = choose(rng, people, organisation)
    use_other = (rng.random(len(contract)) < NON_LIAISON_SHARE) & (other != NONE)
    contact = np.where(use_other | (liaison == NONE), other, liaison)
    contact = np.where((contact == NONE) | ~entitled, anyone, contact)
    # Is it a liaison of this very contract? Pairs packed into one integer for ``np.isin``.
    pairs = np.array([c << 32 | cid for c, ids in enumerate(liaisons) for cid in ids], np.int64)
    is_liaison = np.isin(contract << 32 | np.maximum(contact, 0), pairs)
    return contact, entitled & (contact != NONE) & ~is_liaison


def _subjects(world: World, category: Ints, product: Ints, rng: np.random.Generator) -> list[str]:
    names = [p.name for p in world.products]
    pick = rng.random(len(category)).tolist()
    out = []
    for c, p, u in zip(category.tolist(), product.tolist(), pick, strict=True):
        templates = SUBJECTS[CATEGORIES[c]]
        out.append(
            templates[int(u * len(templates))].format(product=names[p] if p >= 0 else "the system")
        )
    return out
