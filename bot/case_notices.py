"""What a change of a case tells whom: the team (the card, a line in its thread) and the reporter.

Every change is recorded here, once: the event in the case's history and, in the same transaction,
the outbox rows that tell Slack (bot/outbox.py sends them after the commit).

The reporter is told — where they opened the case: the FAQ thread where they pressed 「解決しない」,
else by DM — when it is acknowledged (by whom), re-prioritised (old → new, with the reason),
escalated, resolved and reopened, in the case's language; never about what they did themselves.
A case opened from an FAQ thread also says so in that thread, with a link to it.

Internal notes — the line is drawn here. What the team writes for the team stays with the team:
only a priority change's reason is shared with the reporter (it explains a change they are told
about). Escalation notes are internal (they name colleagues, other customers, suspicions), and so
are resolution and reopening notes written by the team; the reporter sees their own notes.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot import case_store
from bot.case_answers import answer_item
from bot.case_store import NewEvent
from bot.case_vocabulary import EventKind
from bot.models import Case, CaseEvent
from bot.outbox import OutboxItem, enqueue_many
from bot.outbox_kinds import OutboxKind, card_update_key, reporter_key, thread_line_key

TOLD_TO_REPORTER = frozenset(
    {
        EventKind.ACKNOWLEDGED,
        EventKind.FIRST_RESPONSE,
        EventKind.PRIORITY_CHANGED,
        EventKind.ESCALATED,
        EventKind.RESOLVED,
        EventKind.REOPENED,
    }
)
SHARED_REASONS = frozenset({EventKind.PRIORITY_CHANGED})
"""The only kinds whose reason (the note typed with the change) the reporter may read."""


def tells_reporter(kind: str, actor: str, case: Case) -> bool:
    """Whether the reporter hears of this change: one they care about, made by someone else."""
    if kind == EventKind.OPENED:
        return case.origin_thread_ts is not None  # the FAQ thread learns the case's number
    return kind in TOLD_TO_REPORTER and actor != case.reporter_id


def reason_for(event: CaseEvent, viewer: str, *, insider: bool) -> str | None:
    """The event's note as `viewer` may read it: all of it for the team, else only what is shared."""
    if insider or event.kind in SHARED_REASONS or event.actor_id == viewer:
        return event.reason
    return None


def record(
    session: Session,
    case: Case,
    kind: EventKind,
    actor: str,
    now: datetime,
    *,
    old: str | None = None,
    new: str | None = None,
    reason: str | None = None,
) -> CaseEvent:
    """Append the event and queue who must hear of it (`told`)."""
    assert case.id is not None
    event = case_store.append_event(session, NewEvent(case.id, kind, actor, now, old, new, reason))
    enqueue_many(session, told(case, event, now), now)
    return event


def told(case: Case, event: CaseEvent, now: datetime) -> list[OutboxItem]:
    """Who must hear of an event: the card update and a thread line (not for a new case: its card is
    posted whole), the reporter, and the person who made the change if a listener waits to answer."""
    assert case.id is not None and event.id is not None
    kind = EventKind(event.kind)
    payload = {"event_id": event.id}
    items = []
    if kind != EventKind.OPENED:
        items += [
            OutboxItem(thread_line_key(case.id, event.id), OutboxKind.CASE_THREAD, case.id, payload),
            OutboxItem(card_update_key(case.id, event.id), OutboxKind.CASE_CARD_UPDATE, case.id, payload),
        ]
    if tells_reporter(kind, event.actor_id, case):
        items.append(OutboxItem(reporter_key(case.id, event.id), OutboxKind.CASE_REPORTER, case.id, payload))
    answer = answer_item(case, event, now)
    if answer is not None:
        items.append(answer)
    return items
