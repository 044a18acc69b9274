"""Opening cases: one (CaseService.open) or a batch of them in one transaction (bot/intake_batch.py).

A case costs a dozen statements when opened alone; a batch of N costs the same few statements
whatever N: the counter moves by N (numbers stay gapless, in the batch's order), one INSERT of the
cases, one of their events, one of their outbox rows. The rules are the same for both: `build_case`
makes the case (plan, SLA clock) and `prepare` checks what was asked as CaseService.open does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlmodel import Session

from bot import case_store
from bot.case_inputs import NewCase, clean_text, customer_name
from bot.case_notices import told
from bot.case_store import NewEvent
from bot.case_vocabulary import CaseStatus, Category, EventKind
from bot.customers import CustomerRecord, customer_by_channel, customer_by_id
from bot.errors import UserFacingError
from bot.internals.sqlmodel_objects import detached
from bot.models import Case, CaseEvent
from bot.oncall import OnCall
from bot.outbox_kinds import OutboxKind, card_key
from bot.outbox_queue import OutboxItem, enqueue_many
from bot.priorities import Priority
from bot.sla_clock import SlaClock

if TYPE_CHECKING:
    from bot.cases import CaseService


@dataclass(frozen=True)
class Prepared:
    """A case checked and built, not yet numbered nor stored, and the customer it is opened for."""

    case: Case
    customer: CustomerRecord | None
    origin_channel: str | None


@dataclass(frozen=True)
class Opened:
    """A case stored by `open_prepared`: its OPENED event, and whom it paged."""

    case: Case
    event: CaseEvent
    paged: OnCall | None
    customer_channel: bool  # opened in its customer's own channel: the customer-facing tone


def build_case(
    sla: SlaClock,
    new: NewCase,
    fields: tuple[str, Priority, Category | None],
    reporter: str,
    customer: CustomerRecord | None,
    now: datetime,
) -> Case:
    """The new case (`fields`: its checked title, priority, category) under its customer's plan, its SLA
    clock started; numbered and stored by the caller."""
    title, priority, category = fields
    opened_at = min(new.received_at, now) if new.received_at else now
    fields_values = {
        "number": 0,
        "title": title,
        "description": clean_text(new.description),
        "priority": priority,
        "status": CaseStatus.OPEN,
        "customer": customer_name(customer, clean_text(new.customer, 200)),
        "customer_id": customer.id if customer else None,
        "category": category,
        "impact": clean_text(new.impact),
        "steps": clean_text(new.steps),
        "reporter_id": reporter,
        "origin_channel": new.origin_channel,
        "origin_link": clean_text(new.origin_link, 500),
        "origin_thread_ts": new.origin_thread_ts if new.origin_channel else None,
        "language": new.language,
        "related_case": new.related_case,
        "created_at": opened_at,
        "updated_at": now,
    }
    case = detached(Case, fields_values)  # CaseService.open adds it to its session: a new object to store
    sla.terms(case, customer, now)
    sla.start(case)
    return case


def prepare(
    service: CaseService,
    session: Session,
    new: NewCase,
    reporter: str,
    now: datetime,
    channels: dict[str, CustomerRecord | None],
) -> Prepared:
    """Check what was asked and build the case, as CaseService.open does; raises UserFacingError.

    In the caller's transaction; `channels` keeps each channel's customer for the rest of the batch."""
    fields = (
        service.validate_title(new.title),
        service.require_priority(new.priority),
        service.require_category(new.category),
    )
    customer = _customer(service, session, new, reporter, channels)
    return Prepared(build_case(service.sla, new, fields, reporter, customer, now), customer, new.origin_channel)


def _customer(
    service: CaseService, session: Session, new: NewCase, reporter: str, channels: dict[str, CustomerRecord | None]
) -> CustomerRecord | None:
    """CaseService.customer_of, read in the caller's transaction: the one an agent picked, else the channel's."""
    if new.customer_id and service.agents.is_agent(reporter):
        found = customer_by_id(session, new.customer_id.strip())
        if found is None:
            raise UserFacingError("case.error.customer_unknown", word=new.customer_id[:64])
        return found
    channel = new.origin_channel
    if not channel:
        return None
    if channel not in channels:
        channels[channel] = customer_by_channel(session, channel)
    return channels[channel]


def open_prepared(session: Session, sla: SlaClock, batch: Sequence[Prepared], now: datetime) -> list[Opened]:
    """Store the cases with their OPENED events and queue their cards (and pages, and what the reporter
    of a case from an FAQ thread is told there), in the caller's transaction."""
    if not batch:
        return []
    cases = [prepared.case for prepared in batch]
    case_store.insert_cases(session, cases)
    ids = [case.id for case in cases if case.id is not None]
    enqueue_many(session, [OutboxItem(card_key(i), OutboxKind.CASE_CARD, i) for i in ids], now)
    new_events = [
        NewEvent(i, EventKind.OPENED, case.reporter_id, case.created_at, new_value=case.priority)
        for i, case in zip(ids, cases, strict=True)
    ]
    event_ids = case_store.append_events_by_case(session, new_events)
    events = [
        CaseEvent(
            id=event_ids[e.case_id],
            case_id=e.case_id,
            kind=str(e.kind),
            actor_id=e.actor_id,
            at=e.at,
            new_value=e.new_value,
        )
        for e in new_events
    ]
    enqueue_many(session, [item for c, e in zip(cases, events, strict=True) for item in told(c, e, now)], now)
    opened = []
    for prepared, event in zip(batch, events, strict=True):
        case, customer = prepared.case, prepared.customer
        paged = sla.page(session, case, now, occasion=EventKind.OPENED)
        theirs = customer is not None and prepared.origin_channel in customer.channels
        opened.append(Opened(case, event, paged, theirs))
    return opened
