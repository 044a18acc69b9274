"""Everything the bot sent to Slack in this test session, judged the way real Slack would.

The fake Slack accepts anything; the conformance checker (`../shared/slack-conformance`, next to
the checkout as in CI; or SUPPORTBOT_SLACK_CONFORMANCE) checks the recorded Web API calls, Block Kit
and acks against Slack's method specs and documented limits. tests/conftest.py records the session
(bot.devtools.recording) and runs the session check last — as this module's last test in a serial
run, after every worker under pytest-xdist (`tests/conformance_check.py`). Zero violations is the bar.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.devtools.recording import RECORD_ENV, Recorder
from tests.conformance_check import CHECKER, ROOT, judge, run_checker


def test_the_checker_catches_a_read_method_sent_as_json(tmp_path: Path) -> None:
    """The check can fail: conversations.replies with a JSON body is what the notifier used to send."""
    record = tmp_path / "calls.jsonl"
    Recorder(record).call(
        "conversations.replies", {"channel": "C0CASES", "ts": "1700000000.000100"}, "application/json"
    )
    result = run_checker(record)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "[api.json_not_accepted]" in result.stdout
    assert judge(result, record) is not None


def test_a_verdict_that_checked_nothing_is_not_a_pass(tmp_path: Path) -> None:
    """An empty or cut-short report from the checker fails the session check instead of passing it."""
    record = tmp_path / "calls.jsonl"
    record.write_text("", encoding="utf-8")
    for stdout in ("", "conformance calls=0 violations=0\n"):
        verdict = judge(subprocess.CompletedProcess(["checker"], 0, stdout, ""), record)
        assert verdict is not None and "checked nothing" in verdict


def test_everything_sent_to_slack_in_this_session_conforms(tmp_path: Path) -> None:
    recorded = Path(os.environ.get(RECORD_ENV, ""))
    if not recorded.is_file() or recorded.stat().st_size == 0:
        pytest.skip("no Slack traffic was recorded in this session (run the whole suite)")
    record = tmp_path / "slack-traffic.jsonl"  # kept by pytest, for a look after a failure
    shutil.copyfile(recorded, record)
    problem = judge(run_checker(record), record)
    if problem:
        pytest.fail(problem, pytrace=False)


@pytest.mark.skipif(not CHECKER.is_file(), reason="the Slack conformance checker is not beside the checkout")
def test_under_xdist_the_controller_fails_the_run_on_a_violation(tmp_path: Path) -> None:
    """`make test` runs on several workers: a violation any of them recorded still fails the whole run."""
    record = tmp_path / "calls.jsonl"
    Recorder(record).call(
        "conversations.replies", {"channel": "C0CASES", "ts": "1700000000.000100"}, "application/json"
    )
    test = "tests/test_slack_conformance.py::test_a_verdict_that_checked_nothing_is_not_a_pass"
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--numprocesses", "2", test],
        cwd=ROOT,
        env={**os.environ, RECORD_ENV: str(record)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 1, run.stdout + run.stderr
    assert "1 passed" in run.stdout
    assert "FAILED Slack would not accept" in run.stdout and "[api.json_not_accepted]" in run.stdout
