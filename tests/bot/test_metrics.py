"""GET /metrics: Prometheus' text format, scraped over HTTP from the real app (bot/metrics.py)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.clock import ManualClock
from bot.database import Database
from bot.metrics import MeteredNotifier, Metrics, request_kind
from bot.notify import Delivered, NotReady, PermanentDeliveryError, TransientDeliveryError
from scheduler import jobs
from tests.harness import AppHarness

SSO_QUESTION = "SSOってどのIdPに対応してましたっけ？"


def scrape(app: AppHarness) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of a scrape, by name and labels."""
    response = app.request("/metrics", method="GET")
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    samples: dict[tuple[str, tuple[tuple[str, str], ...]], float] = {}
    for family in text_string_to_metric_families(response.body):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def fresh(app: AppHarness) -> None:
    """The next scrape reads the database again (it is read at most every few seconds)."""
    figures = app.services.metrics.database_figures
    assert figures is not None
    figures.cache_seconds = 0.0


def test_a_case_shows_in_the_request_delivery_and_case_figures(app: AppHarness, clock: ManualClock) -> None:
    fresh(app)
    before = scrape(app)
    assert value(before, "supportbot_database_up") == 1
    assert value(before, "supportbot_open_cases", priority="medium") == 0

    assert app.command("/case", "中 CSVが文字化けする", channel="C0CASES").status == 200
    app.settle()
    after = scrape(app)
    assert value(after, "supportbot_slack_ack_seconds_count", kind="command") == 1
    assert value(after, "supportbot_slack_ack_seconds_bucket", kind="command", le="+Inf") == 1
    assert value(after, "supportbot_slack_request_seconds_count", kind="command") == 1
    assert value(after, "supportbot_listeners_in_flight") == 0  # settled: nothing left to do
    assert value(after, "supportbot_outbox_deliveries_total", outcome="sent") >= 1  # the card
    assert value(after, "supportbot_outbox_backlog") == 0
    assert value(after, "supportbot_outbox_oldest_pending_age_seconds") == 0
    assert value(after, "supportbot_open_cases", priority="medium") == 1
    assert value(after, "supportbot_open_cases", priority="high") == 0
    assert value(after, "supportbot_breached_cases") == 0

    clock.advance(timedelta(days=10))  # long past any medium target, still unanswered
    assert value(scrape(app), "supportbot_breached_cases") == 1


def test_the_sweep_and_its_notices_are_counted(app: AppHarness, clock: ManualClock) -> None:
    assert app.command("/case", "中 請求書が届かない", channel="C0CASES").status == 200
    app.settle()
    assert value(scrape(app), "supportbot_sla_sweep_seconds_count") == 0
    clock.advance(timedelta(days=10))
    jobs.periodic_jobs(app.services)["sla_sweep"]()
    samples = scrape(app)
    assert value(samples, "supportbot_sla_sweep_seconds_count") == 1
    assert value(samples, "supportbot_sla_sweep_last_run_timestamp_seconds") > 0
    assert value(samples, "supportbot_sla_notices_total", kind="lead_ping") == 1


def test_faq_decisions_are_counted(app: AppHarness) -> None:
    app.message(SSO_QUESTION)
    app.message("おはようございます")
    app.settle()
    samples = scrape(app)
    assert value(samples, "supportbot_faq_decisions_total", decision="answered") == 1
    assert value(samples, "supportbot_faq_decisions_total", decision="silent") == 1
    assert value(samples, "supportbot_slack_ack_seconds_count", kind="event") == 2


def test_a_listener_error_is_counted_by_kind(app: AppHarness) -> None:
    metrics: Metrics = app.services.metrics
    metrics.listener_error({"type": "block_actions"}, RuntimeError("boom"))
    samples = scrape(app)
    assert value(samples, "supportbot_listener_errors_total", kind="action", error="unexpected") == 1


def test_only_get_is_served(app: AppHarness) -> None:
    assert app.request("/metrics", method="POST", body=b"").status == 405
    assert app.request("/metrics", method="HEAD").status == 200


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        ({"command": "/case"}, "command"),
        ({"type": "event_callback"}, "event"),
        ({"type": "block_actions"}, "action"),
        ({"type": "view_submission"}, "view"),
        ({"type": "message_action"}, "shortcut"),
        ({"type": "block_suggestion"}, "options"),
        ({}, "other"),
    ],
)
def test_request_kinds(body: dict[str, Any], kind: str) -> None:
    assert request_kind(body) == kind


class Scripted:
    def __init__(self, error: Exception | None) -> None:
        self.error = error

    def deliver(self, message: Any, *, verify: bool) -> Delivered:
        if self.error is not None:
            raise self.error
        return Delivered(channel="C0CASES", ts="1.0")


def test_deliveries_are_counted_by_outcome() -> None:
    metrics = Metrics()
    outcomes = [
        (None, "sent"),
        (NotReady("card first"), "waiting"),
        (TransientDeliveryError("rate limited"), "retrying"),
        (PermanentDeliveryError("channel_not_found"), "failed"),
    ]
    for error, outcome in outcomes:
        notifier = MeteredNotifier(Scripted(error), metrics)
        try:
            notifier.deliver(object(), verify=False)
        except Exception as exc:
            assert exc is error
        assert metrics.deliveries.labels(outcome)._value.get() == 1


def test_a_database_outage_does_not_break_the_scrape(clock: ManualClock) -> None:
    down = Database("postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=1")
    metrics = Metrics(down, clock)
    families = {f.name: f for f in text_string_to_metric_families(metrics.exposition().decode())}
    assert families["supportbot_database_up"].samples[0].value == 0
    assert "supportbot_outbox_backlog" not in families
    assert "supportbot_slack_ack_seconds" in families


def test_the_outbox_backlog_and_its_oldest_message_age(db: Database, clock: ManualClock) -> None:
    from bot.outbox import enqueue

    db.create_all()
    metrics = Metrics(db, clock)
    assert metrics.database_figures is not None
    metrics.database_figures.cache_seconds = 0.0
    with db.transaction() as session:
        enqueue(session, kind="case.card", key="case:1:card", now=clock.now(), case_id=1)
    clock.advance(timedelta(seconds=30))
    with db.transaction() as session:
        enqueue(session, kind="case.card", key="case:2:card", now=clock.now(), case_id=2)
    clock.advance(timedelta(seconds=60))
    families = {f.name: f for f in text_string_to_metric_families(metrics.exposition().decode())}
    assert families["supportbot_outbox_backlog"].samples[0].value == 2
    assert families["supportbot_outbox_oldest_pending_age_seconds"].samples[0].value == 90
