"""The `/case` form over signed HTTP (issue 14): recorded before the ack, opened once, its reporter told by DM.

A submission is recorded under the view's id and hash; sent twice, it is one case. While PostgreSQL is
unreachable (a TCP proxy cut, as in test_database_outage.py) it is spooled, the form says so, and once
the database is back the intake job opens it: the reporter's DM says when it was received, and a high
case pages the emergency channel once, saying the same.
"""

from __future__ import annotations

import re
import uuid
from collections import Counter
from typing import Any

import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from bot.clock import SystemClock
from bot.database import Database
from bot.devtools.fake_slack import FakeSlack
from bot.slack.case_forms import VIEW_OPEN
from scheduler import jobs
from tests.e2e import landed_posts, outbox_key, query, test_database_outage, wait_until
from tests.e2e.proxy import TcpProxy
from tests.handlers.test_cases import state
from tests.harness import AppHarness, HttpResponse, make_config

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]

REPORTER = "U0AGENT"
QUEUED = "受け付けました。システム復旧後にケースを起票し、番号をお知らせします。"
OPENED = re.compile(r"ケース #(\d+) を起票しました")


proxied_database = test_database_outage.proxied_database  # a fresh database behind a TCP proxy


def submit(app: AppHarness, view: dict[str, Any], **values: str | None) -> HttpResponse:
    payload = {
        "type": "view_submission",
        "team": {"id": "T0TEAM", "domain": "fake"},
        "user": {"id": REPORTER, "username": "agent", "team_id": "T0TEAM"},
        "api_app_id": "A0APP",
        "trigger_id": f"trigger.{uuid.uuid4().hex[:10]}",
        "view": {**view, "state": state(**values)},
    }
    return app.action(payload)


def form(app: AppHarness) -> dict[str, Any]:
    assert app.command("/case", "", user=REPORTER, channel="C0SUPPORT").status == 200
    return app.fake.wait_for_calls("views.open")[-1].args["view"]


def dms(fake: FakeSlack) -> list[str]:
    return [c.args["text"] for c in fake.calls("chat.postMessage") if c.args["channel"] == REPORTER]


def test_a_form_is_opened_once_and_one_sent_during_an_outage_is_opened_when_the_database_returns(
    proxied_database: tuple[str, TcpProxy],
) -> None:
    direct_url, proxy = proxied_database
    proxied_url = make_url(direct_url).set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    db = Database(proxied_url)
    engine = create_engine(direct_url)
    with FakeSlack() as fake:
        app = AppHarness(fake=fake, db=db, clock=SystemClock(), config=make_config())
        try:
            view = form(app)
            assert view["callback_id"] == VIEW_OPEN
            first = {**view, "id": "V0FIRST", "hash": "1.a"}
            assert submit(app, first, title="請求書が届かない", priority="medium").json() is None
            fake.wait_for(lambda: len(dms(fake)) == 1, timeout=10)
            # The same submission again (a retried request): the same request, no second case.
            assert submit(app, first, title="請求書が届かない", priority="medium").json() is None

            proxy.cut()
            outage = {**view, "id": "V0SECOND", "hash": "2.a"}
            answer = submit(app, outage, title="全ユーザーがログインできない", priority="high").json()
            assert answer["response_action"] == "update" and QUEUED in str(answer["view"])
            proxy.restore()
            wait_until(lambda: app.request("/readyz", method="GET").status == 200, timeout=15, what="/readyz")

            def settled() -> bool:
                jobs.periodic_jobs(app.services)["intake"]()
                jobs.deliver_outbox(app.services.outbox)
                (unsent,) = query(engine, "SELECT count(*) FROM outbox WHERE state <> 'sent'")
                (pending,) = query(engine, "SELECT count(*) FROM intake WHERE state <> 'done'")
                return unsent[0] == 0 and pending[0] == 0 and len(dms(fake)) == 2

            wait_until(settled, timeout=30, what="the spooled form opened and its reporter told", interval=0.5)
            cases = query(engine, "SELECT number, title, priority, origin_channel FROM cases ORDER BY number")
            (intake,) = query(engine, "SELECT count(*) FROM intake")
        finally:
            app.stop()
            engine.dispose()
            db.dispose()

    assert [tuple(r) for r in cases] == [
        (1, "請求書が届かない", "medium", "C0SUPPORT"),
        (2, "全ユーザーがログインできない", "high", "C0SUPPORT"),
    ]
    assert intake[0] == 2
    first_dm, late_dm = dms(fake)
    assert OPENED.search(first_dm) and "に受け付けたケースです" not in first_dm
    assert late_dm.startswith("ケース #2 を起票しました") and "に受け付けたケースです" in late_dm
    pages = [c for c in landed_posts(fake) if c.args["channel"] == "C0EMERG"]
    assert len(pages) == 1 and "#2" in pages[0].args["text"]
    assert "受付: " in pages[0].args["text"] and "システム障害のため起票が遅れました" in pages[0].args["text"]
    assert max(Counter(outbox_key(c) for c in landed_posts(fake)).values()) == 1
