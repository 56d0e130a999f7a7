"""Support teams and the products they look after."""

from __future__ import annotations

from pydantic import BaseModel, Field

from deskui.domain.catalog.fields import SPEC_CONFIG, Slug
from deskui.domain.catalog.team_mail import TeamMailSpec


class TeamSpec(BaseModel):
    """A team: its business calendar decides when it is "after hours"; ``policy`` is the
    default SLA policy for tickets that come without a contract."""

    model_config = SPEC_CONFIG

    slug: Slug
    name: str = Field(min_length=1)
    calendar: Slug
    policy: Slug
    description: str = ""
    # Address, signature, canned replies, mailboxes (``deskui.domain.catalog.team_mail``).
    mail: TeamMailSpec | None = None


class ProductSpec(BaseModel):
    """A product the desk supports; agents' product skills and ticket routing name it."""

    model_config = SPEC_CONFIG

    slug: Slug
    name: str = Field(min_length=1)
    team: Slug
    description: str = ""
