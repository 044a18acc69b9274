"""The `supportbot` command, as a newcomer and a CS team use it."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from bot.cli import main
from knowledge import BUNDLED_KNOWLEDGE

FAQ = str(BUNDLED_KNOWLEDGE / "faq.md")


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No tokens, no .env, a scratch working directory: what a fresh machine has."""
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "DATABASE_URL", "SUPPORTBOT_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


def connect(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, *, cases: str = "C0CASES", token: str = "xoxb-test"
) -> None:
    """Settings for `supportbot run` against Slack: a config file, a token and a signing secret."""
    config = tmp_path / "supportbot.toml"
    config.write_text(f'[channels]\ncases = "{cases}"\nemergency = "C0EMERG"\n', encoding="utf-8")
    monkeypatch.setenv("SUPPORTBOT_CONFIG", str(config))
    monkeypatch.setenv("SLACK_BOT_TOKEN", token)
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "secret")


def test_faq_ask_prints_the_answer(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["faq", "ask", "SSOってどのIdPに対応してましたっけ？"]) == 0
    out = capsys.readouterr().out
    assert "decision: answer" in out and "SSOはどのIdPに対応していますか？" in out and "Okta" in out


def test_faq_ask_takes_unquoted_words_as_one_question(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["faq", "ask", "--json", "返金", "して", "ほしい"]) == 0
    (line,) = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert line["query"] == "返金 して ほしい"


def test_faq_ask_explains_which_words_matched_which_field(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["faq", "ask", "--explain", "請求書の宛名を変更したい"]) == 0
    out = capsys.readouterr().out
    assert "why:" in out and "#請求書 → question" in out and "NOT covered" in out
    assert main(["faq", "ask", "--json", "--explain", "解約方法は？"]) == 0
    line = json.loads(capsys.readouterr().out)
    assert line["answered"] and line["explain"]["candidates"][0]["matched"]


def test_faq_ask_json_reads_questions_from_stdin_in_order(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("解約方法わ？\n今日のランチどこ行きます？\n\nﾕｰｻﾞｰ数 上限\n"))
    assert main(["faq", "ask", "--json", "--knowledge", FAQ]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["query"] for line in lines] == ["解約方法わ？", "今日のランチどこ行きます？", "ﾕｰｻﾞｰ数 上限"]
    assert set(lines[0]) == {"query", "answered", "question", "score", "suggestions"}
    assert lines[0]["answered"] and lines[0]["question"] == "解約方法は？"
    assert not lines[1]["answered"] and lines[1]["question"] is None
    assert lines[2]["question"] == "ユーザー数の上限はありますか？"


def test_faq_lint_passes_the_bundled_knowledge_and_fails_placeholders(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert main(["faq", "lint", str(BUNDLED_KNOWLEDGE)]) == 0
    bad = tmp_path / "kb.md"
    bad.write_text("### Q: 上限は？\n**A**: [制限値] です。\n", encoding="utf-8")
    assert main(["faq", "lint", str(bad)]) == 1
    assert "unfilled placeholder [制限値]" in capsys.readouterr().out


def test_faq_gaps_lists_what_could_not_be_answered(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'bot.db'}")
    main(["shell", "-e", "@bot 見積書を発行してもらえますか？", "-e", "@bot 見積書を発行してもらえますか？"])
    main(["shell", "-e", "@bot オンプレミス版は提供していますか？"])
    capsys.readouterr()
    assert main(["faq", "gaps", "--json"]) == 0
    gaps = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(g["text"], g["count"]) for g in gaps] == [
        ("見積書を発行してもらえますか？", 2),
        ("オンプレミス版は提供していますか？", 1),
    ]


def test_the_console_keeps_nothing_unless_told_where(tmp_path: Path) -> None:
    main(["shell", "-e", "/case 中 テスト"])
    assert list(tmp_path.iterdir()) == []


def test_run_without_tokens_starts_the_console(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("SSOってどのIdPに対応してましたっけ？\n"))
    assert main(["run"]) == 0
    captured = capsys.readouterr()
    assert "starts the local console" in captured.err
    assert "SSOはどのIdPに対応していますか？" in captured.out


def test_a_wrong_configuration_stops_with_the_key_and_the_fix(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    connect(monkeypatch, tmp_path, cases="#cases")
    assert main(["run"]) == 2
    err = capsys.readouterr().err
    assert "configuration error" in err and "[channels] cases" in err and "channel ID" in err


def test_missing_slack_secret_is_named(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")
    assert main(["run"]) == 2
    assert "SLACK_SIGNING_SECRET is required" in capsys.readouterr().err


def test_an_unreachable_database_at_start_is_explained(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    connect(monkeypatch, tmp_path)
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:9/none")
    assert main(["run"]) == 3
    err = capsys.readouterr().err
    assert "cannot reach the database at 127.0.0.1:9/none" in err and "supportbot doctor" in err


def test_a_rejected_token_at_start_is_explained(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from bot.slack.fake_api import FakeSlack

    connect(monkeypatch, tmp_path, token="xoxb-revoked")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'bot.db'}")
    with FakeSlack(valid_tokens={"xoxb-valid"}) as fake:
        monkeypatch.setenv("SLACK_API_BASE_URL", fake.base_url)
        assert main(["run"]) == 3
    err = capsys.readouterr().err
    assert "Slack did not accept" in err and "SLACK_BOT_TOKEN" in err and "xoxb-revoked" not in err
