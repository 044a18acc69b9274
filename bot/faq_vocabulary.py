"""The words of teaching the FAQ from Slack: what a learned phrasing and a new entry go through.

Each is a StrEnum whose values are what the database stores, so code compares typed values while the
stored strings never change.
"""

from __future__ import annotations

from enum import StrEnum

LEARNED_SOURCE = "learned.md"
"""The file entries written in Slack are exported to when no file has their category (their id is made from it)."""

SLACK_SOURCE = "(slack)"
"""The `source` of an entry served from the database: no knowledge file has that name, so reloading a file
(learned.md included) never takes it for one of its own."""

TEACHING_COUNTER = "faq_teaching"
"""The counter (`counters.name`) every teaching change takes its revision from: replicas catch up by it."""


class PhrasingStatus(StrEnum):
    CANDIDATE = "candidate"  # someone confirmed a もしかして pick; not searched until confirmed
    LEARNED = "learned"  # searched as another way to ask its entry
    REMOVED = "removed"  # an agent took it back


class PhrasingOrigin(StrEnum):
    SUGGESTION = "suggestion"  # a もしかして pick followed by 「解決しました」
    LINK = "link"  # an agent linked a message (or an unanswered question) to an entry


class DraftStatus(StrEnum):
    DRAFT = "draft"  # written from a thread's answer, waiting for an agent
    LIVE = "live"  # approved: searched and answered
    DISCARDED = "discarded"  # an agent decided against it
    REMOVED = "removed"  # was live; an agent took it back


class TeachKind(StrEnum):
    """What an id of `supportbot faq learned` names: a phrasing (p12) or an entry (e3)."""

    PHRASING = "p"
    ENTRY = "e"
