"""Everything the bot sent to Slack in this test session, judged the way real Slack would.

The fake Slack accepts anything; the conformance checker (`../shared/slack-conformance`, next to
the checkout as in CI; or SUPPORTBOT_SLACK_CONFORMANCE) checks the recorded Web API calls, Block Kit
and acks against Slack's method specs and documented limits. tests/conftest.py records the session
(bot.devtools.recording) and runs the session check last. Zero violations is the bar.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.devtools.recording import RECORD_ENV, Recorder

ROOT = Path(__file__).resolve().parents[1]


def _find_checker() -> Path:
    """SUPPORTBOT_SLACK_CONFORMANCE, else `shared/slack-conformance` beside the checkout or one of its parents."""
    if configured := os.environ.get("SUPPORTBOT_SLACK_CONFORMANCE"):
        return Path(configured)
    for folder in ROOT.parents:
        candidate = folder / "shared" / "slack-conformance"
        if (candidate / "conformance.py").is_file():
            return candidate
    return ROOT.parent / "shared" / "slack-conformance"


CHECKER_DIR = _find_checker()
CHECKER = CHECKER_DIR / "conformance.py"
# Where the checker is wrong, not the bot: (method, rule) → why. Keep this short, and tell the checker's owners.
CHECKER_GAPS = {
    ("apps.connections.open", "api.unknown_method"): (
        "Socket Mode's connection call (slack-sdk's SocketModeClient makes it with the app-level token) is a "
        "documented Web API method (https://api.slack.com/methods/apps.connections.open) that the checker's "
        "2020 method list lacks"
    ),
    # The weekly digest's chart (slack-sdk's files_upload_v2): Slack's current upload flow, which replaced
    # files.upload (retired). Documented at https://docs.slack.dev/reference/methods/files.getUploadURLExternal
    # and https://docs.slack.dev/reference/methods/files.completeUploadExternal; newer than the checker's list.
    ("files.getUploadURLExternal", "api.unknown_method"): (
        "files_upload_v2's first step (filename, length, alt_txt): a documented method the 2020 list lacks"
    ),
    ("files.completeUploadExternal", "api.unknown_method"): (
        "files_upload_v2's last step (files, channel_id, initial_comment): a documented method the 2020 list lacks"
    ),
}


def run_checker(record: Path) -> subprocess.CompletedProcess[str]:
    if not CHECKER.is_file():
        pytest.skip(f"the Slack conformance checker is not at {CHECKER_DIR} (clone next to ../shared to run it)")
    return subprocess.run(
        [sys.executable, str(CHECKER), str(record), "--require-sdk", "--quiet"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_the_checker_catches_a_read_method_sent_as_json(tmp_path: Path) -> None:
    """The check can fail: conversations.replies with a JSON body is what the notifier used to send."""
    record = tmp_path / "calls.jsonl"
    Recorder(record).call(
        "conversations.replies", {"channel": "C0CASES", "ts": "1700000000.000100"}, "application/json"
    )
    result = run_checker(record)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "[api.json_not_accepted]" in result.stdout


def test_everything_sent_to_slack_in_this_session_conforms(tmp_path: Path) -> None:
    recorded = Path(os.environ.get(RECORD_ENV, ""))
    if not recorded.is_file() or recorded.stat().st_size == 0:
        pytest.skip("no Slack traffic was recorded in this session (run the whole suite)")
    record = tmp_path / "slack-traffic.jsonl"  # kept by pytest, for a look after a failure
    shutil.copyfile(recorded, record)
    result = run_checker(record)
    *violations, summary = result.stdout.strip().splitlines()
    real = [v for v in violations if not _checker_gap(v)]
    if real:
        pytest.fail(_explain(real, record), pytrace=False)
    assert summary.startswith("conformance calls=") and "calls=0 " not in summary, result.stdout + result.stderr
    assert result.returncode == (1 if violations else 0), result.stderr


def _checker_gap(violation: str) -> bool:
    """ "#12 apps.connections.open [api.unknown_method] …" → whether CHECKER_GAPS excuses it."""
    parts = violation.split(" ", 3)
    return len(parts) >= 3 and (parts[1], parts[2].strip("[]")) in CHECKER_GAPS


def _explain(violations: list[str], record: Path) -> str:
    """The checker's violations, each with the test that sent the call (from the record's `test` field)."""
    tests: dict[str, str] = {}
    for line in record.read_text(encoding="utf-8").splitlines():
        entry = json.loads(line)
        tests[str(entry.get("seq"))] = entry.get("test", "?")
    lines = []
    for violation in violations:
        seq = violation[1:].split(" ", 1)[0] if violation.startswith("#") else ""
        lines.append(violation + (f"\n    sent by {tests[seq]}" if seq in tests else ""))
    return f"Slack would not accept what the bot sent (record: {record}):\n" + "\n".join(lines)
