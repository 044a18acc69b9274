"""Remembers which Slack event ids were processed, so a redelivered event runs once."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete
from sqlmodel import col

from bot.clock import Clock
from bot.database import Database, insert_ignore, rowcount
from bot.models import SlackEvent

RETENTION = timedelta(days=1)  # Slack stops retrying after about 5 minutes; a day is plenty


class EventLog:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    def first_delivery(self, event_id: str) -> bool:
        """True the first time an event id is seen (by any replica sharing the database)."""
        with self.db.transaction() as session:
            return insert_ignore(
                session, SlackEvent, {"event_id": event_id[:64], "received_at": self.clock.now()}, ["event_id"]
            )

    def prune(self) -> int:
        """Forget event ids older than a day."""
        with self.db.transaction() as session:
            result = session.execute(
                delete(SlackEvent).where(col(SlackEvent.received_at) < self.clock.now() - RETENTION)
            )
            return rowcount(result)
