"""The one producer of pages: whom a page calls, the outbox rows it becomes, and the edits that follow.

- A high case that opens (or is raised to high) unanswered pages whoever is on call in the emergency
  channel. That first page stays the case's one message there.
- Each breach re-page (再通知 1回目, 2回目, … every `[sla] renotify`) is a reply in the page's thread
  mentioning everyone called at that point; the page itself is edited with the count and the time
  elapsed, and the DM to the person on call is repeated.
- The escalation chain (bot/sla_notices.py's `chain_level`): after `[sla] escalate_after` re-pages the
  secondary on call is called too, after as many more the CS Lead. Each step DMs the person it adds,
  once per due time (its own outbox key), and records them as a party who may act (bot/access.py).
- When the case is answered or resolved, the page and every DM are edited in place: who took it,
  when, how late, and no more button (`settle`). A page that lands just after the answer is edited
  right after it lands (`after_sent`).

Everything here works in the caller's transaction; delivery follows the commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlmodel import Session, col

from bot.access import Party, Role, escalation_parties
from bot.case_store import NewEvent
from bot.case_vocabulary import SYSTEM_ACTOR, EventKind
from bot.config import EscalationConfig
from bot.identifiers import is_user
from bot.models import Case, OutboxMessage
from bot.oncall import OnCall, OncallService
from bot.outbox import DROPPED, FAILED, OutboxItem, enqueue_many
from bot.outbox_kinds import OutboxKind, breach_key, chain_key, dm_key, page_key, page_update_key
from bot.sla_notices import CHAIN, ChainStep, Notice, NoticeKind, awaits_first_response

PAGE_TARGET = "page"
"""A page edit's target when it is the case's page in the emergency channel (else: the DM's outbox id)."""
TOP_LEVEL_KINDS = (OutboxKind.PAGE, OutboxKind.BREACH_PAGE)


class Called(NamedTuple):
    """Whom one page calls: the IDs to mention, whether it calls @here, and the parties it records."""

    mentions: list[str]
    here: bool
    parties: list[Party]


class Planned(NamedTuple):
    """A page as the database will hold it: its outbox rows, its history lines, whom it calls."""

    items: list[OutboxItem]
    events: list[NewEvent]
    parties: list[Party]


def oncall_role(on_call: OnCall) -> Role:
    return Role.ONCALL_FALLBACK if on_call.source == "fallback" else Role.ONCALL_PRIMARY


class Pager:
    def __init__(self, oncall: OncallService, escalation: EscalationConfig) -> None:
        self.oncall = oncall
        self.escalation = escalation

    def on_call(self, session: Session, now: datetime) -> OnCall:
        return self.oncall.at(now, session=session)

    def called(self, on_call: OnCall, level: int) -> Called:
        """The person on call (or the fallback group, or @here), then the chain's steps reached."""
        mentions, parties = [], []
        if on_call.primary:
            mentions.append(on_call.primary)
            parties.append(Party(on_call.primary, oncall_role(on_call)))
        for step in CHAIN[:level]:
            who = self.chain_person(step, on_call)
            if who and who not in mentions:
                mentions.append(who)
                parties.append(Party(who, Role.ONCALL_SECONDARY if step is ChainStep.SECONDARY else Role.CS_LEAD))
        return Called(mentions, on_call.pages_here, parties)

    def chain_person(self, step: ChainStep, on_call: OnCall) -> str | None:
        return on_call.secondary if step is ChainStep.SECONDARY else self.escalation.cs_lead

    def plan(self, notice: Notice, on_call: OnCall, now: datetime) -> Planned:
        """A page or re-page: the first item is the one whose key makes the whole notice happen once."""
        case = notice.case
        called = self.called(on_call, notice.level)
        payload: dict[str, Any] = {"mentions": called.mentions, "here": called.here}
        if notice.kind is NoticeKind.PAGE:  # its history line is the "opened" (or priority) event
            payload["oncall_source"] = on_call.source
            return Planned(
                [OutboxItem(page_key(case.id, notice.occasion), OutboxKind.PAGE, case.id, payload)], [], called.parties
            )
        key = breach_key(case.id, case.due_at, notice.sequence)
        chain = [{"step": str(step), "who": self.chain_person(step, on_call)} for step in notice.steps]
        payload.update(sequence=notice.sequence, chain=chain)
        refresh = page_update_key(case.id, PAGE_TARGET, f"repage{notice.sequence}")
        items = [
            OutboxItem(key, OutboxKind.BREACH_PAGE, case.id, payload),
            OutboxItem(refresh, OutboxKind.PAGE_UPDATE, case.id, {"target": PAGE_TARGET}),
        ]
        if is_user(on_call.primary):
            dm = {"user": on_call.primary, "sequence": notice.sequence}
            items.append(OutboxItem(dm_key(key), OutboxKind.BREACH_DM, case.id, dm))
        events = [NewEvent(case.id, EventKind.SLA_BREACH, SYSTEM_ACTOR, now, new_value=str(notice.sequence))]
        for step in notice.steps:
            who = self.chain_person(step, on_call)
            events.append(NewEvent(case.id, EventKind.SLA_ESCALATED, SYSTEM_ACTOR, now, who, str(step)))
            if is_user(who) and who != on_call.primary:  # the person on call has their DM already
                dm = {"user": who, "sequence": notice.sequence, "step": str(step)}
                items.append(OutboxItem(chain_key(case.id, case.due_at, step), OutboxKind.BREACH_DM, case.id, dm))
        return Planned(items, events, called.parties)

    def responsible(self, assignee: str | None, on_call: OnCall | None) -> tuple[str | None, list[Party]]:
        """Whom the 75 % warning mentions: the assignee, else the person on call (a high case: `on_call`
        given) or the CS Lead; and the parties that makes."""
        if assignee:
            return assignee, []
        if on_call is not None:
            return on_call.primary, [Party(on_call.primary, oncall_role(on_call))] if on_call.primary else []
        parties = escalation_parties(2, self.escalation)
        return self.escalation.cs_lead, parties

    # --- the edits --------------------------------------------------------------------------------

    @staticmethod
    def settle(session: Session, case: Case, now: datetime, occasion: str) -> None:
        """The case was answered or resolved: edit its page and each DM in place (if it was paged at all)."""
        assert case.id is not None
        rows = page_rows(session, case.id)
        if not rows:
            return
        items = [
            OutboxItem(
                page_update_key(case.id, PAGE_TARGET, occasion),
                OutboxKind.PAGE_UPDATE,
                case.id,
                {"target": PAGE_TARGET},
            )
        ]
        items += [
            OutboxItem(page_update_key(case.id, row_id, occasion), OutboxKind.PAGE_UPDATE, case.id, {"target": row_id})
            for row_id, kind in rows
            if kind == OutboxKind.BREACH_DM
        ]
        enqueue_many(session, items, now)

    @staticmethod
    def after_sent(session: Session, message: OutboxMessage, now: datetime) -> Sequence[str]:
        """A page or DM landed: if the case was answered while it was on its way, edit it at once."""
        case = session.get(Case, message.case_id) if message.case_id else None
        if case is None or case.id is None or awaits_first_response(case):
            return []
        target: int | str = message.id if message.kind == OutboxKind.BREACH_DM and message.id else PAGE_TARGET
        key = page_update_key(case.id, target, f"landed{message.id}")
        return list(enqueue_many(session, [OutboxItem(key, OutboxKind.PAGE_UPDATE, case.id, {"target": target})], now))


def page_rows(session: Session, case_id: int) -> list[tuple[int, str]]:
    """The case's pages, re-pages and DMs that were or will be sent: (outbox id, kind)."""
    kinds = (*TOP_LEVEL_KINDS, OutboxKind.BREACH_DM)
    query = (
        select(col(OutboxMessage.id), col(OutboxMessage.kind))
        .where(col(OutboxMessage.case_id) == case_id, col(OutboxMessage.kind).in_(kinds))
        .where(col(OutboxMessage.state).not_in([DROPPED, FAILED]))
        .order_by(col(OutboxMessage.id))
    )
    return [(int(row_id), str(kind)) for row_id, kind in session.execute(query)]


def first_page(session: Session, case_id: int) -> OutboxMessage | None:
    """The case's one message in the emergency channel: its first page (or re-page) not given up on.

    Later pages and re-pages of the case are replies in its thread, and edits go to it.
    """
    query = (
        select(OutboxMessage)
        .where(col(OutboxMessage.case_id) == case_id, col(OutboxMessage.kind).in_(TOP_LEVEL_KINDS))
        .where(col(OutboxMessage.state).not_in([DROPPED, FAILED]))
        .order_by(col(OutboxMessage.id))
        .limit(1)
    )
    return session.execute(query).scalar_one_or_none()
