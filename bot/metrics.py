"""What operators watch: `GET /metrics` in Prometheus' text format (prometheus-client, a registry of our own).

Counted as things happen: Slack requests (ack and total latency by kind, listener errors), outbox
deliveries by outcome, the SLA sweep (duration, last run, notices by kind) and FAQ decisions. Read
from the database when scraped, in one cheap statement each (and at most once per `DB_CACHE_SECONDS`):
the outbox backlog and its oldest row's age, open cases by priority and how many of them have missed
their first-response target.

Slack-free: the Bolt side (the middleware and the listener executor that time requests) is
bot/slack/metering.py; the HTTP route is bot/web.py's.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import case, func, select
from sqlmodel import col

from bot.case_vocabulary import ACTIVE_STATUSES
from bot.clock import Clock
from bot.database import Database
from bot.models import Case, OutboxMessage
from bot.notify import (
    Delivered,
    Notifier,
    NotReady,
    Obsolete,
    PermanentDeliveryError,
    TransientDeliveryError,
    UncertainDelivery,
)
from bot.priorities import Priority

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
# A scrape reads the database at most this often; scrapes in between get the last figures.
DB_CACHE_SECONDS = 5.0
# Slack waits 3 s for an ack: the buckets are finest below that.
ACK_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0)
REQUEST_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
SWEEP_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1.0, 2.5, 5.0, 10.0)
# The outbox rows still to be sent (bot/outbox.py's states).
WAITING_STATES = ("pending", "uncertain", "sending")
# FaqService's actions as operators read them: "ignored" is the bot staying silent.
FAQ_DECISIONS = {"answered": "answered", "suggested": "suggested", "not_found": "not_found", "ignored": "silent"}


def request_kind(body: Mapping[str, Any]) -> str:
    """What a Slack request is: event, command, action, view, shortcut, options or other."""
    if body.get("command"):
        return "command"
    return {
        "event_callback": "event",
        "block_actions": "action",
        "interactive_message": "action",
        "view_submission": "view",
        "view_closed": "view",
        "shortcut": "shortcut",
        "message_action": "shortcut",
        "block_suggestion": "options",
    }.get(str(body.get("type") or ""), "other")


def error_kind(error: Exception) -> str:
    """A listener error as operators count it: what the user got wrong, the database, or a bug."""
    from bot.database import DatabaseUnavailable
    from bot.errors import UserFacingError

    if isinstance(error, UserFacingError):
        return "user"
    if isinstance(error, DatabaseUnavailable):
        return "database"
    return "unexpected"


class Metrics:
    """The process's metrics; `database` (with `clock`) adds the figures read from it when scraped."""

    def __init__(self, database: Database | None = None, clock: Clock | None = None) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.ack_seconds = Histogram(
            "supportbot_slack_ack_seconds", "Receipt of a Slack request to its ack", ["kind"], registry=r,
            buckets=ACK_BUCKETS,
        )  # fmt: skip
        self.request_seconds = Histogram(
            "supportbot_slack_request_seconds", "Receipt of a Slack request to its listener's work done", ["kind"],
            registry=r, buckets=REQUEST_BUCKETS,
        )  # fmt: skip
        self.listeners_in_flight = Gauge(
            "supportbot_listeners_in_flight", "Listeners started or queued and not finished (acked work waiting)",
            registry=r,
        )  # fmt: skip
        self.listener_errors = Counter(
            "supportbot_listener_errors", "Listener errors by request kind and error", ["kind", "error"], registry=r
        )
        self.deliveries = Counter(
            "supportbot_outbox_deliveries", "Outbox delivery attempts by outcome", ["outcome"], registry=r
        )
        self.sweep_seconds = Histogram(
            "supportbot_sla_sweep_seconds", "Duration of an SLA sweep", registry=r, buckets=SWEEP_BUCKETS
        )
        self.sweep_last = Gauge(
            "supportbot_sla_sweep_last_run_timestamp_seconds", "When the last SLA sweep finished (Unix time)",
            registry=r,
        )  # fmt: skip
        self.notices = Counter("supportbot_sla_notices", "SLA notices queued by kind", ["kind"], registry=r)
        self.faq_decisions = Counter(
            "supportbot_faq_decisions", "FAQ questions by what the bot did", ["decision"], registry=r
        )
        self.database_figures: DatabaseFigures | None = None
        if database is not None:
            self.database_figures = DatabaseFigures(database, clock)
            r.register(self.database_figures)

    # --- what the instrumented code calls ----------------------------------------------------------

    def faq_decision(self, action: str) -> None:
        decision = FAQ_DECISIONS.get(action)
        if decision is not None:
            self.faq_decisions.labels(decision).inc()

    def listener_error(self, body: Mapping[str, Any], error: Exception) -> None:
        self.listener_errors.labels(request_kind(body), error_kind(error)).inc()

    def swept(self, seconds: float, warnings: int, breaches: int, lead_pings: int) -> None:
        self.sweep_seconds.observe(seconds)
        self.sweep_last.set(time.time())
        for kind, count in (("warning", warnings), ("breach", breaches), ("lead_ping", lead_pings)):
            if count:
                self.notices.labels(kind).inc(count)

    def exposition(self) -> bytes:
        """The text a scrape gets."""
        return generate_latest(self.registry)


class MeteredNotifier:
    """A notifier that counts each delivery attempt by its outcome (the outbox's own vocabulary)."""

    def __init__(self, inner: Notifier, metrics: Metrics) -> None:
        self.inner = inner
        self.metrics = metrics

    def deliver(self, message: Any, *, verify: bool) -> Delivered:
        outcome = "sent"
        try:
            return self.inner.deliver(message, verify=verify)
        except NotReady:
            outcome = "waiting"
            raise
        except TransientDeliveryError:
            outcome = "retrying"
            raise
        except Obsolete:
            outcome = "dropped"
            raise
        except PermanentDeliveryError:
            outcome = "failed"
            raise
        except UncertainDelivery:
            outcome = "uncertain"
            raise
        except Exception:
            outcome = "error"
            raise
        finally:
            self.metrics.deliveries.labels(outcome).inc()


class DatabaseFigures(Collector):
    """The outbox backlog and the open cases, read when scraped (cached for DB_CACHE_SECONDS)."""

    def __init__(self, database: Database, clock: Clock | None = None, *, cache_seconds: float = DB_CACHE_SECONDS):
        self.database = database
        self.now: Callable[[], datetime] = clock.now if clock is not None else _utcnow
        self.cache_seconds = cache_seconds
        self._lock = threading.Lock()
        self._read_at = -1e9
        self._figures: list[GaugeMetricFamily] = []

    def describe(self) -> list[Any]:
        return []  # read on scrape only, not when registered

    def collect(self) -> Iterator[GaugeMetricFamily]:
        with self._lock:
            if time.monotonic() - self._read_at >= self.cache_seconds:
                self._figures = self._read()
                self._read_at = time.monotonic()
            yield from self._figures

    def _read(self) -> list[GaugeMetricFamily]:
        up = GaugeMetricFamily("supportbot_database_up", "Whether the last scrape could read the database")
        try:
            figures = self._outbox() + self._cases()
        except Exception:  # an outage must not break the scrape: the other metrics still tell a story
            up.add_metric([], 0)
            return [up]
        up.add_metric([], 1)
        return [up, *figures]

    def _outbox(self) -> list[GaugeMetricFamily]:
        now = self.now()
        with self.database.transaction() as session:
            count, oldest = session.execute(
                select(func.count(), func.min(col(OutboxMessage.created_at))).where(
                    col(OutboxMessage.state).in_(WAITING_STATES)
                )
            ).one()
        backlog = GaugeMetricFamily("supportbot_outbox_backlog", "Outbox messages not yet sent")
        backlog.add_metric([], count)
        age = GaugeMetricFamily(
            "supportbot_outbox_oldest_pending_age_seconds", "Age of the oldest outbox message not yet sent (0: none)"
        )
        age.add_metric([], max(0.0, (now - _aware(oldest)).total_seconds()) if oldest is not None else 0.0)
        return [backlog, age]

    def _cases(self) -> list[GaugeMetricFamily]:
        now = self.now()
        breached = case(((col(Case.first_response_at).is_(None)) & (col(Case.due_at) < now), 1), else_=0)
        with self.database.transaction() as session:
            rows = session.execute(
                select(col(Case.priority), func.count(), func.sum(breached))
                .where(col(Case.status).in_(ACTIVE_STATUSES))
                .group_by(col(Case.priority))
            ).all()
        counts = {str(priority): (int(n), int(late or 0)) for priority, n, late in rows}
        open_cases = GaugeMetricFamily("supportbot_open_cases", "Open cases by priority", labels=["priority"])
        for priority in Priority:
            open_cases.add_metric([str(priority)], counts.get(str(priority), (0, 0))[0])
        late = GaugeMetricFamily(
            "supportbot_breached_cases", "Open cases past their first-response target with no first response"
        )
        late.add_metric([], sum(n for _, n in counts.values()))
        return [open_cases, late]


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
