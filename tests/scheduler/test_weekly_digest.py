"""The weekly digest job: the week's figures and chart, uploaded with files_upload_v2 to the fake Slack,
exactly once per week across replicas and restarts, and once after downtime (not once per week missed)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.cases import NewCase
from bot.clock import ManualClock
from bot.config import parse_behaviour
from bot.database import Database
from bot.devtools.fake_slack import UPLOAD_CALL, FakeSlack
from bot.runtime import Runtime
from bot.settings import ConfigError
from scheduler.jobs import periodic_jobs
from tests.harness import BASE_CONFIG, make_config, make_runtime

REPORTS = "C0REPORTS"
PNG = b"\x89PNG\r\n\x1a\n"


def jst(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC) - timedelta(hours=9)


@pytest.fixture
def replicas(db: Database, clock: ManualClock, fake_slack: FakeSlack) -> Iterator[list[Runtime]]:
    """Two replicas of the bot on one database, with the digest configured."""
    config = make_config(reports={"digest_channel": REPORTS, "digest_at": "mon 09:30"})
    yield [make_runtime(fake=fake_slack, db=db, clock=clock, config=config) for _ in range(2)]


def digest_job(runtime: Runtime) -> Any:
    return periodic_jobs(runtime.services)["weekly_digest"]()


def shared(fake: FakeSlack) -> list[dict[str, Any]]:
    """The digests in the reports channel: messages with a file."""
    return [m for m in fake.messages(REPORTS) if m.get("files")]


def run_together(runtimes: list[Runtime]) -> list[Any]:
    """The job on every replica at the same moment."""
    start, results = threading.Barrier(len(runtimes)), [None] * len(runtimes)

    def run(index: int) -> None:
        start.wait()
        results[index] = digest_job(runtimes[index])

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(runtimes))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_the_digest_is_posted_once_across_two_replicas_and_a_restart(
    replicas: list[Runtime], db: Database, clock: ManualClock, fake_slack: FakeSlack
) -> None:
    clock.set(jst(11, 10, 11))  # in the week 11/09–11/15: a high case, answered in 30 minutes
    case = replicas[0].services.cases.open(NewCase(title="全員ログインできない", priority="高"), reporter="U0CUSTOMER")
    clock.advance(timedelta(minutes=30))
    replicas[1].services.cases.acknowledge(case.case.number, "U0AGENT")
    # Monday, a minute before this week's is due: the one due on 11/09 was never posted (a first start)
    clock.set(jst(11, 16, 9, 29))
    results = run_together(replicas)
    assert sorted(map(str, results)) == ["None", "report:digest:2026-11-02"]
    clock.set(jst(11, 16, 9, 30))
    results = run_together(replicas)
    assert sorted(map(str, results)) == ["None", "report:digest:2026-11-09"]
    for _ in range(3):
        run_together(replicas)
        clock.advance(timedelta(minutes=20))
    restarted = make_runtime(fake=fake_slack, db=db, clock=clock, config=replicas[0].services.config)
    assert digest_job(restarted) is None

    digests = shared(fake_slack)
    assert [m["files"][0]["name"] for m in digests] == [
        "support-digest-2026-11-02.png",
        "support-digest-2026-11-09.png",
    ]
    assert len(fake_slack.calls("files.completeUploadExternal")) == 2 and len(fake_slack.calls(UPLOAD_CALL)) == 2
    latest = digests[-1]
    assert latest["text"].startswith(
        "*📊 週次サポートレポート* 2026-11-09 〜 2026-11-15\n```\nサポートレポート 2026-11-09 〜 2026-11-15"
    )
    assert "起票 1件 (高 1 / 中 0 / 低 0)" in latest["text"] and "達成率 100% (達成 1 / 超過 0" in latest["text"]
    upload = fake_slack.files.by_id[latest["files"][0]["id"]]
    assert upload.data is not None and upload.data.startswith(PNG)
    assert upload.alt_txt is not None and upload.alt_txt.startswith("2026-11-09〜2026-11-15のサポート状況のグラフ")
    assert "起票 1件 (高 1, 中 0, 低 0)" in upload.alt_txt
    assert upload.title == "サポートレポート 2026-11-09〜2026-11-15"

    clock.set(jst(11, 23, 9, 30))  # the next Monday
    assert digest_job(restarted) == "report:digest:2026-11-16" and digest_job(replicas[1]) is None


def test_after_downtime_the_missed_digest_is_posted_once(
    replicas: list[Runtime], clock: ManualClock, fake_slack: FakeSlack
) -> None:
    clock.set(jst(11, 16, 10, 0))
    assert digest_job(replicas[0]) == "report:digest:2026-11-09"
    clock.set(jst(12, 9, 15, 0))  # down for three Mondays; back on a Wednesday
    assert digest_job(replicas[1]) == "report:digest:2026-11-30"  # the latest week only
    assert digest_job(replicas[0]) is None and digest_job(replicas[1]) is None
    assert [m["files"][0]["name"] for m in shared(fake_slack)] == [
        "support-digest-2026-11-09.png",
        "support-digest-2026-11-30.png",
    ]


def test_an_upload_that_may_have_landed_is_found_not_shared_again(
    replicas: list[Runtime], clock: ManualClock, fake_slack: FakeSlack
) -> None:
    clock.set(jst(11, 16, 10, 0))
    fake_slack.fail("files.completeUploadExternal", status=500, after_effect=True)  # shared, but the answer is lost
    assert digest_job(replicas[0]) == "report:digest:2026-11-09"
    message = replicas[0].services.outbox.get("report:digest:2026-11-09")
    assert message is not None and message.state == "uncertain"
    clock.advance(timedelta(minutes=5))
    periodic_jobs(replicas[1].services)["deliver_outbox"]()
    message = replicas[0].services.outbox.get("report:digest:2026-11-09")
    assert message is not None and message.state == "sent"
    assert len(shared(fake_slack)) == 1 and len(fake_slack.calls("files.completeUploadExternal")) == 1


def test_a_lost_upload_is_sent_again_by_the_outbox(
    replicas: list[Runtime], clock: ManualClock, fake_slack: FakeSlack
) -> None:
    clock.set(jst(11, 16, 10, 0))
    fake_slack.fail(UPLOAD_CALL, status=500)  # the bytes never reached Slack
    digest_job(replicas[0])
    assert shared(fake_slack) == []
    clock.advance(timedelta(minutes=5))
    periodic_jobs(replicas[1].services)["deliver_outbox"]()
    assert len(shared(fake_slack)) == 1


def test_without_a_channel_there_is_no_digest(runtime: Runtime, clock: ManualClock, fake_slack: FakeSlack) -> None:
    assert digest_job(runtime) is None
    assert fake_slack.calls("files.getUploadURLExternal") == []


@pytest.mark.parametrize(
    ("reports", "expected"),
    [
        ({"digest_at": "monday"}, '[reports] digest_at: expected a weekday and a time such as "mon 10:00"'),
        ({"digest_at": "funday 09:30"}, "[reports] digest_at: expected one of mon, tue"),
        ({"digest_channel": "#reports"}, "[reports] digest_channel: '#reports' is not a Slack channel ID"),
    ],
)
def test_a_wrong_digest_setting_fails_at_start_naming_the_key(reports: dict[str, str], expected: str) -> None:
    with pytest.raises(ConfigError) as error:
        parse_behaviour({**BASE_CONFIG, "reports": reports}, "supportbot.toml", Path("."))
    assert expected in str(error.value)
