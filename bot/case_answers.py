"""The answer to the person who changed a case (a `/case` verb, a card button), queued with the change.

The listener says where the answer goes (`replying(ReplyTo(...))`: the request's response_url, and
the person for a DM once it has expired); the change's transaction queues the answer as an outbox
message next to the event it answers (bot/case_notices.py), so a crash after the commit never drops
it and a retried delivery never sends it twice. The answer keeps the facts it reports as they were
when the change was made (number, priority, due time, level, customer, plan); the Slack side
(bot/slack/case_answers.py) words them. Plain data: nothing here knows Slack.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from bot.case_vocabulary import EventKind
from bot.models import Case, CaseEvent
from bot.outbox import OutboxItem
from bot.outbox_kinds import OutboxKind, case_answer_key

ANSWERED = frozenset(
    {
        EventKind.ACKNOWLEDGED,
        EventKind.ASSIGNED,
        EventKind.PRIORITY_CHANGED,
        EventKind.CUSTOMER_CHANGED,
        EventKind.ESCALATED,
        EventKind.RESOLVED,
        EventKind.SELF_RESOLVED,
        EventKind.REOPENED,
    }
)
"""The changes a person is answered about when they make them."""


@dataclass(frozen=True)
class ReplyTo:
    """Where the answer to a request goes: its response_url while Slack takes it, else a DM to `user`."""

    user: str
    response_url: str | None = None
    channel: str | None = None


@dataclass
class _Answering:
    to: ReplyTo
    queued: list[str] = field(default_factory=list)  # the keys queued: one answer per request


_current: ContextVar[_Answering | None] = ContextVar("case_answer_to", default=None)


@contextlib.contextmanager
def replying(to: ReplyTo) -> Iterator[list[str]]:
    """While the block runs, the change `to.user` makes queues its answer to `to`; yields the keys queued."""
    answering = _Answering(to)
    token = _current.set(answering)
    try:
        yield answering.queued
    finally:
        _current.reset(token)


def reply_to() -> ReplyTo | None:
    """Where the answer to the change being made now goes, if a listener waits to answer."""
    answering = _current.get()
    return answering.to if answering is not None else None


def answer_item(case: Case, event: CaseEvent, now: datetime) -> OutboxItem | None:
    """The answer to the change `event`, if someone is waiting for it (and was not answered yet)."""
    answering = _current.get()
    if answering is None or answering.queued or event.kind not in ANSWERED or event.actor_id != answering.to.user:
        return None
    assert case.id is not None and event.id is not None
    key = case_answer_key(case.id, event.id)
    answering.queued.append(key)
    payload: dict[str, Any] = {
        "event_id": event.id,
        "kind": event.kind,
        "new": event.new_value,
        "reply_to": asdict(answering.to),
        "at": now.isoformat(),
        "case": facts(case),
    }
    return OutboxItem(key, OutboxKind.CASE_ANSWER, case.id, payload)


def facts(case: Case) -> dict[str, Any]:
    """What an answer reports about the case, as it is at the change."""
    return {
        "number": case.number,
        "priority": case.priority,
        "due_at": case.due_at.isoformat() if case.due_at else None,
        "escalation_level": case.escalation_level,
        "customer": case.customer,
        "customer_id": case.customer_id,
        "plan": case.plan,
    }
