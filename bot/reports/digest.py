"""The weekly digest: which week is due, claimed once across replicas and restarts, queued through the outbox.

`[reports] digest_at = "mon 09:30"` (in the desk's time zone) is when a week's digest is due; it
covers the 7 local days before that day. `WeeklyDigest.run` (a scheduler job, every minute) takes
the latest due time at or before now: if that week has no `report_digests` row yet, it inserts one
(the unique period key decides between replicas) and queues the digest's outbox message in the same
transaction; the outbox sends it once (bot/outbox.py) and the Slack side uploads the chart with the
figures as its message (bot/slack/report_blocks.py). After downtime only the latest week is due, so
a missed digest is posted once, never once per week missed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col

from bot.business_calendar import local_instant
from bot.clock import Clock
from bot.config import WEEKDAYS, ReportsConfig
from bot.database import Database, is_postgres, table_of
from bot.models import ReportDigest
from bot.outbox import Outbox, enqueue
from bot.outbox_kinds import OutboxKind, digest_key
from bot.reports.periods import Period

WEEK = timedelta(days=7)


@dataclass(frozen=True)
class DigestSchedule:
    """A weekday and a local time, e.g. Monday 09:30 in Asia/Tokyo."""

    weekday: int  # 0 = Monday
    at: time
    timezone: str

    @classmethod
    def from_config(cls, reports: ReportsConfig, timezone: str) -> DigestSchedule:
        day, hhmm = reports.digest_at.split()  # validated and normalised by the config ("mon 09:30")
        return cls(WEEKDAYS.index(day), time.fromisoformat(hhmm), timezone)

    def latest(self, now: datetime) -> datetime:
        """The latest due time at or before `now` (UTC)."""
        zone = ZoneInfo(self.timezone)
        today = now.astimezone(zone).date()
        day = today - timedelta(days=(today.weekday() - self.weekday) % 7)
        due = local_instant(day, self.at, zone)
        return due if due <= now else local_instant(day - WEEK, self.at, zone)

    def week_before(self, due: datetime) -> Period:
        """The 7 local days before the due time's day: the week its digest covers."""
        zone = ZoneInfo(self.timezone)
        last = due.astimezone(zone).date() - timedelta(days=1)
        first = last - timedelta(days=6)
        return Period(
            _midnight(first, zone), _midnight(last + timedelta(days=1), zone), self.timezone, f"{first}..{last}"
        )


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return local_instant(day, time(0), zone)


def period_payload(period: Period) -> dict[str, str]:
    return {
        "since": period.since.isoformat(),
        "until": period.until.isoformat(),
        "timezone": period.timezone,
        "label": period.label,
    }


def period_of(payload: dict[str, str]) -> Period:
    """The period an outbox payload names (period_payload's inverse)."""
    since, until = datetime.fromisoformat(payload["since"]), datetime.fromisoformat(payload["until"])
    return Period(since, until, payload["timezone"], payload["label"])


def _claim(session: Session, row: dict[str, object]) -> bool:
    """Insert the week's row unless one exists; True when this call inserted it."""
    dialect = postgresql if is_postgres(session) else sqlite
    table = table_of(ReportDigest)
    statement = dialect.insert(table).values(**row).on_conflict_do_nothing(index_elements=["period_key"])
    return session.execute(statement.returning(table.c.id)).first() is not None


class WeeklyDigest:
    def __init__(
        self, db: Database, clock: Clock, outbox: Outbox, config: ReportsConfig, timezone: str, *, worker: str
    ) -> None:
        self.db = db
        self.clock = clock
        self.outbox = outbox
        self.channel = config.digest_channel
        self.schedule = DigestSchedule.from_config(config, timezone)
        self.worker = worker

    def due(self, now: datetime | None = None) -> Period:
        """The week whose digest is due at `now` (posted already or not)."""
        return self.schedule.week_before(self.schedule.latest(now or self.clock.now()))

    def run(self) -> str | None:
        """Queue (and send) the digest now due, if nobody has yet; returns its outbox key when this call did."""
        if not self.channel:
            return None
        now = self.clock.now()
        period = self.due(now)
        period_key = f"{period.first_day():%Y-%m-%d}"
        key = digest_key(period_key)
        with self.db.transaction() as session:
            if session.execute(select(col(ReportDigest.id)).where(col(ReportDigest.period_key) == period_key)).first():
                return None  # the common case, every minute: no write
            row = {
                "period_key": period_key,
                "since": period.since,
                "until": period.until,
                "channel": self.channel,
                "claimed_at": now,
                "claimed_by": self.worker[:80],
                "outbox_key": key,
            }
            if not _claim(session, row):
                return None  # another replica claimed it between the look and the insert
            payload = {"channel": self.channel, **period_payload(period)}
            enqueue(session, kind=OutboxKind.REPORT_DIGEST, key=key, now=now, payload=payload)
        self.outbox.deliver_keys([key])
        return key
