"""Agents: who they are, what they may do (roles) and what they know (skills)."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field

from deskui.domain.catalog.fields import (
    SPEC_CONFIG,
    Email,
    Handle,
    Slug,
    SshPublicKey,
    TimeZoneName,
    distinct,
)
from deskui.domain.catalog.terms import Category, Role


class SkillsSpec(BaseModel):
    """Products an agent specialises in and ticket categories they handle."""

    model_config = SPEC_CONFIG

    products: Annotated[tuple[Slug, ...], AfterValidator(distinct)] = ()
    categories: Annotated[tuple[Category, ...], AfterValidator(distinct)] = ()


class AgentSpec(BaseModel):
    """A member of staff who works tickets."""

    model_config = SPEC_CONFIG

    handle: Handle
    name: str = Field(min_length=1)
    email: Email
    timezone: TimeZoneName
    roles: Annotated[tuple[Role, ...], AfterValidator(distinct), Field(min_length=1)]
    teams: Annotated[tuple[Slug, ...], AfterValidator(distinct), Field(min_length=1)]
    skills: SkillsSpec = SkillsSpec()
    # Job title, e.g. "Manager of Software Development"; shown, not used for permissions.
    title: str = ""
    # Public keys for `deskui serve ssh`; added later with `deskui agent add-key`.
    ssh_keys: Annotated[tuple[SshPublicKey, ...], AfterValidator(distinct)] = ()

    def has_role(self, role: Role) -> bool:
        return role in self.roles
