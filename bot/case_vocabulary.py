"""The words of a case: its statuses, the kinds of events in its history, its categories, list scopes.

Each is a StrEnum whose values are what the database stores (and the i18n keys use), so code compares
typed values while the stored strings never change.
"""

from __future__ import annotations

from enum import StrEnum

SYSTEM_ACTOR = "supportbot"
"""The actor of the events the bot records by itself (SLA notices, a late first response)."""


class CaseStatus(StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    ESCALATED = "escalated"
    RESOLVED = "resolved"
    REOPENED = "reopened"

    @property
    def is_active(self) -> bool:
        return self is not CaseStatus.RESOLVED


ACTIVE_STATUSES = tuple(status for status in CaseStatus if status.is_active)


class EventKind(StrEnum):
    """One line of a case's history (`case_events.kind`)."""

    OPENED = "opened"
    ACKNOWLEDGED = "acknowledged"
    FIRST_RESPONSE = "first_response"  # a reply in the case thread
    PRIORITY_CHANGED = "priority_changed"
    ESCALATED = "escalated"
    RESOLVED = "resolved"
    SELF_RESOLVED = "self_resolved"  # by the reporter: not a first response
    REOPENED = "reopened"
    ASSIGNED = "assigned"  # the assignee (担当者) changed: old → new user ID
    SLA_WARNING = "sla_warning"
    SLA_BREACH = "sla_breach"  # a breach page or CS Lead ping went out, or the first response came late
    CUSTOMER_CHANGED = "customer_changed"  # an agent put the case under another customer (and plan)
    SLA_ESCALATED = "sla_escalated"  # nobody acknowledged the pages: the chain called the next one (new_value: whom)


class Category(StrEnum):
    TECHNICAL = "technical"
    BILLING = "billing"
    ACCOUNT = "account"
    OTHER = "other"


class ListScope(StrEnum):
    """What `/case list` shows: open cases, mine (assigned to me or reported by me), or all.

    For someone who is not an agent, each is limited to the cases they may see (bot/access.py).
    """

    OPEN = "open"
    MINE = "mine"
    ALL = "all"
