"""A team's mail settings as configured under ``mail:`` in ``teams.yaml``: its address and
signature, whether resolving tells the client, the words that state a priority, where
enhancement requests come in, its canned replies and the IMAP mailboxes it reads."""

from __future__ import annotations

from pydantic import BaseModel, Field, model_validator

from deskui.domain.catalog.fields import SPEC_CONFIG, Email, Slug


class MailboxSpec(BaseModel):
    """One IMAP mailbox ``deskui mail fetch`` reads for the team.

    The password is never in the file: ``password_env`` names an environment variable,
    ``password_file`` a file holding it (first line). After a message is filed it is moved to
    ``move_to`` when given, else flagged ``\\Seen`` (only unseen messages are fetched).
    """

    model_config = SPEC_CONFIG

    host: str = Field(min_length=1)
    port: int = Field(default=993, gt=0, lt=65536)
    # "ssl" (implicit TLS, port 993), "starttls" or "none" (loopback and tests only).
    tls: str = Field(default="ssl", pattern="^(ssl|starttls|none)$")
    user: str = Field(min_length=1)
    password_env: str | None = None
    password_file: str | None = None
    folder: str = "INBOX"
    move_to: str | None = None

    @model_validator(mode="after")
    def _password(self) -> MailboxSpec:
        if (self.password_env is None) == (self.password_file is None):
            raise ValueError("give exactly one of password_env or password_file")
        return self


class CannedReplySpec(BaseModel):
    """A reply template. ``body`` may hold ``{first_name}``, ``{reference}``, ``{agent}``,
    ``{eta}``, ``{subject}`` and ``{team}``; the team's signature is appended when sent."""

    model_config = SPEC_CONFIG

    name: str = Field(min_length=1)
    subject: str = ""
    body: str = Field(min_length=1)


class TeamMailSpec(BaseModel):
    """Everything mail about one team; every field may be left out."""

    model_config = SPEC_CONFIG

    # The From of the team's replies (the desk's ``mail_from`` when missing); mail to it is
    # for this team.
    address: Email | None = None
    signature: str = ""
    # Resolving sends the summary to the client unless the agent says not to.
    resolution_to_client: bool = False
    # Priority slug -> the words that state it, in a "[High]" subject tag or a "Priority:"
    # line of the body (case-insensitive).
    priority_words: dict[Slug, tuple[str, ...]] = Field(default_factory=dict)
    # Mail to one of these addresses, or tagged with one of these words ("[Enhancement]"),
    # is an enhancement request filed at ``enhancement_priority``.
    enhancement_addresses: tuple[Email, ...] = ()
    enhancement_tags: tuple[str, ...] = ()
    enhancement_priority: Slug | None = None
    canned_replies: tuple[CannedReplySpec, ...] = ()
    mailboxes: tuple[MailboxSpec, ...] = ()

    @model_validator(mode="after")
    def _enhancement(self) -> TeamMailSpec:
        if (self.enhancement_addresses or self.enhancement_tags) and not (
            self.enhancement_priority
        ):
            raise ValueError("enhancement_addresses/tags need an enhancement_priority")
        names = [c.name.casefold() for c in self.canned_replies]
        if len(names) != len(set(names)):
            raise ValueError("canned reply names must be unique within a team")
        return self
