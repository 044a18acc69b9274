"""Paging for high-priority cases: the emergency channel, mentioning whoever is on call."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot.access import involve, oncall_parties
from bot.models import Case
from bot.oncall import OnCall, OncallService
from bot.outbox import enqueue


class Pager:
    """Queues the emergency post in the caller's transaction; who was on call is fixed at that moment,
    and recorded with the case so that they may act on it (bot/access.py)."""

    def __init__(self, oncall: OncallService) -> None:
        self.oncall = oncall

    def page(self, session: Session, case: Case, now: datetime, *, occasion: str) -> OnCall:
        on_call = self.oncall.at(now, session=session)
        assert case.id is not None
        enqueue(
            session,
            kind="case.emergency",
            key=f"case:{case.id}:emergency:{occasion}",
            now=now,
            case_id=case.id,
            payload={"mentions": on_call.mentions, "oncall_source": on_call.source, "here": on_call.pages_here},
        )
        involve(session, [(case.id, party) for party in oncall_parties(on_call)], now)
        return on_call
