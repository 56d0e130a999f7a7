"""The proportions and words generated tickets are drawn from: channels per team, categories
per priority, subjects per category, replies and resolution summaries.

Plain data and two small helpers, so the look of the generated desk is changed here alone.
"""

from __future__ import annotations

from deskui.domain.sla.policy import PolicySpec
from deskui.domain.vocabulary import Category, Channel

# Team slugs of the sample data; any other team gets the default mix.
CHANNEL_MIX: dict[str, dict[Channel, float]] = {
    "kenco": {Channel.PHONE: 0.8, Channel.EMAIL: 0.2},
    "itworks": {Channel.PHONE: 0.5, Channel.EMAIL: 0.5},
    "keystone": {
        Channel.EMAIL: 0.45,
        Channel.PHONE: 0.4,
        Channel.ANSWERPHONE: 0.1,
        Channel.FAX: 0.05,
    },
    "velsoft": {Channel.EMAIL: 0.7, Channel.PHONE: 0.3},
    "paritor": {Channel.WEB: 0.85, Channel.EMAIL: 0.15},
}
DEFAULT_CHANNEL_MIX: dict[Channel, float] = {
    Channel.EMAIL: 0.5,
    Channel.PHONE: 0.4,
    Channel.WEB: 0.1,
}

# Kenco's help desk takes calls day and night; elsewhere most tickets arrive in hours.
AFTER_HOURS_SHARE = 0.12
AFTER_HOURS_SHARE_BY_TEAM: dict[str, float] = {"kenco": 0.3}

GENERAL_CATEGORY_MIX: dict[Category, float] = {
    Category.TECHNICAL: 0.5,
    Category.DATA: 0.14,
    Category.TRAINING: 0.12,
    Category.INSTALLATION: 0.08,
    Category.SECURITY: 0.06,
    Category.HARDWARE_NETWORK: 0.05,
    Category.CHANGE_REQUEST: 0.05,
}

SUBJECTS: dict[Category, tuple[str, ...]] = {
    Category.TECHNICAL: (
        "{product}: error message when saving a record",
        "{product} stops responding after login",
        "{product}: report shows wrong totals",
        "Crash in {product} when printing",
        "{product}: screen freezes during the month-end run",
        "{product}: cannot open the search screen",
    ),
    Category.DATA: (
        "{product}: duplicate records after import",
        "Missing data in {product} since yesterday",
        "{product}: wrong balances carried forward",
        "{product}: imported file rejected",
    ),
    Category.TRAINING: (
        "How do I run the weekly report in {product}?",
        "{product}: how to set up a new user",
        "Question about exporting from {product}",
        "{product}: where has the batch update option gone?",
    ),
    Category.INSTALLATION: (
        "{product}: update fails to install",
        "{product}: new workstation cannot connect",
        "Upgrade to the latest {product} release",
    ),
    Category.SECURITY: (
        "{product}: user locked out",
        "{product}: staff member sees records they should not",
        "Password reset needed for {product}",
    ),
    Category.HARDWARE_NETWORK: (
        "{product} very slow over the network",
        "Label printer not working with {product}",
        "{product}: scanners keep disconnecting",
    ),
    Category.CHANGE_REQUEST: (
        "{product}: request for a new field on the order screen",
        "Change request: extra column in the {product} export",
        "{product}: please add a filter to the list view",
    ),
    Category.ENHANCEMENT: (
        "Enhancement idea for {product}",
        "{product}: suggestion for the dashboard",
        "{product}: would like bulk editing",
    ),
}

REPLIES: tuple[str, ...] = (
    "Thanks for reporting this; we are looking into it.",
    "We have reproduced the problem and are working on a fix.",
    "Could you send us a screenshot of the message, please?",
    "Thanks, this is in hand; we will update you shortly.",
)

RESOLUTIONS: tuple[str, ...] = (
    "Fixed; the customer confirmed it works.",
    "Explained the steps; the customer is happy to close.",
    "Corrected the data and re-ran the import.",
    "Installed the latest release; problem gone.",
)

BREACH_REASON = "Waited on a third party before the fix could be made."


def category_mix(policy: PolicySpec, rank: int) -> dict[Category, float]:
    """What a ticket of this priority is likely about (its slug, label and definition say)."""
    priority = policy.priorities[rank]
    words = f"{priority.slug} {priority.label} {priority.definition}".lower()
    if "training" in words:
        return {Category.TRAINING: 1.0}
    if "enhancement" in words or "level-4" in words:
        return {Category.ENHANCEMENT: 0.8, Category.CHANGE_REQUEST: 0.2}
    if "modification" in words or "change request" in words:
        return {Category.CHANGE_REQUEST: 0.7, Category.ENHANCEMENT: 0.3}
    return GENERAL_CATEGORY_MIX


def priority_weights(policy: PolicySpec) -> list[float]:
    """Lower priorities are more common; a priority with no SLA at all is a side channel."""
    weights = [rank + 1.0 if p.has_sla else 0.5 for rank, p in enumerate(policy.priorities)]
    total = sum(weights)
    return [w / total for w in weights]
