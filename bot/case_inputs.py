"""What opening a case starts from: the request (a command, a form, an intake record) and the work an
intake step adds to the opening transaction. Plain data; bot/cases.py does the opening."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlmodel import Session

from bot.customers import CustomerRecord
from bot.models import Case
from bot.oncall import OnCall


@dataclass(frozen=True)
class NewCase:
    title: str
    priority: str
    description: str | None = None
    customer: str | None = None
    category: str | None = None
    impact: str | None = None
    steps: str | None = None
    origin_channel: str | None = None
    origin_link: str | None = None
    related_case: int | None = None
    origin_thread_ts: str | None = None  # the FAQ thread it came from: the reporter is told there
    language: str | None = None  # the reporter's, when the flow that opened it had one
    customer_id: str | None = None  # from the directory (the form's picker); else the channel's customer
    # Acknowledged earlier and opened now (bot/intake.py, after an outage): the case and its SLA
    # clock start at this time.
    received_at: datetime | None = None


class OpeningStep(Protocol):
    """Work done in the transaction that opens a case (bot/intake.py: the request it came from)."""

    def claim(self, session: Session) -> None:
        """First in the transaction; raising opens nothing."""

    def opened(self, session: Session, case: Case, paged: OnCall | None) -> None:
        """Last in the transaction, with the case and whom it paged."""


def clean_text(text: str | None, limit: int = 4000) -> str | None:
    """Typed text, trimmed and cut to `limit`; None when nothing is left."""
    if text is None:
        return None
    text = text.strip()
    return text[:limit] or None


def customer_name(customer: CustomerRecord | None, typed: str | None) -> str | None:
    """The directory's name of the customer, with what was typed in the form's free field if it differs."""
    if customer is None:
        return typed
    return customer.name if not typed or typed == customer.name else f"{customer.name} / {typed}"[:200]
