"""`supportbot faq gaps|feedback|learned|export`: the team's view of what the FAQ missed and was taught."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from bot.cli import main
from knowledge import BUNDLED_KNOWLEDGE
from knowledge.search import KnowledgeIndex
from tests.bot.test_cli import clean_environment  # noqa: F401  (autouse: no tokens, a scratch directory)

LINKED = "適格請求書の登録番号は？"


@pytest.fixture
def database(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    return url


def console(*lines: str) -> None:
    main(["shell", *(part for line in lines for part in ("-e", line))])


def teach_in_the_console() -> None:
    """An agent links an unanswered question to an entry, as in Slack."""
    console(
        "/as U0CUSTOMER",
        f"@bot {LINKED}",
        "/as U0AGENT",
        "/faq gaps",
        "click 1",
        "submit entry=請求書の発行は可能ですか？",
    )


def test_learned_phrasings_are_listed_exported_and_removed(
    database: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    teach_in_the_console()
    capsys.readouterr()
    assert main(["faq", "learned", "list", "--json"]) == 0
    (row,) = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert row["id"] == "p1" and row["status"] == "learned" and row["by"] == "U0AGENT" and not row["exported"]
    assert row["what"] == f"「{LINKED}」 → 請求書の発行は可能ですか？"

    out = tmp_path / "exported"
    assert main(["faq", "export", "--out", str(out)]) == 0
    said = capsys.readouterr().out
    assert f"{out / 'faq.md'}: 1 言い換え added" in said and "git diff" in said
    assert f" / {LINKED}\n" in (out / "faq.md").read_text(encoding="utf-8")
    assert (out / "support-policy.md").read_text(encoding="utf-8") == (
        BUNDLED_KNOWLEDGE / "support-policy.md"
    ).read_text(encoding="utf-8")
    fresh = KnowledgeIndex.from_path(out).search(LINKED)
    assert fresh.answer is not None and fresh.answer.question == "請求書の発行は可能ですか？"
    assert main(["faq", "export", "--out", str(out)]) == 0
    assert "Nothing new to export." in capsys.readouterr().out
    assert main(["faq", "learned", "list"]) == 0
    assert "p1     learned    yes" in capsys.readouterr().out

    assert main(["faq", "learned", "remove", "p1"]) == 0
    assert "removed p1" in capsys.readouterr().out
    assert main(["faq", "learned", "list"]) == 0
    assert capsys.readouterr().out.strip() == "Nothing taught in Slack yet."
    assert main(["faq", "learned", "remove", "p1"]) == 1
    assert "p1 was not found" in capsys.readouterr().err


def test_feedback_lists_the_answers_marked_not_solved(database: str, capsys: pytest.CaptureFixture[str]) -> None:
    console("/as U0CUSTOMER", "@bot 解約方法は？", "click 2")  # 「解決しない」
    capsys.readouterr()
    assert main(["faq", "feedback"]) == 0
    out = capsys.readouterr().out
    assert "not solved  passed over  solved  entry" in out and "         1            0       0  解約方法は？" in out
    assert "「どれも違う」 under もしかして: 0 question(s)" in out


def test_gaps_leave_chit_chat_out_and_show_local_times(database: str, capsys: pytest.CaptureFixture[str]) -> None:
    console("@bot お疲れさまです", "@bot ありがとうございます", f"@bot {LINKED}")
    capsys.readouterr()
    assert main(["faq", "gaps"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "last asked (Asia/Tokyo)" in lines[0]
    assert [line.split("  ")[-1] for line in lines[1:]] == [LINKED]


def test_questions_asked_in_slack_become_a_check_file(
    database: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    teach_in_the_console()  # LINKED: an agent linked it to an entry
    console(
        "/as U0CUSTOMER",
        "@bot 解約方法は？",
        "click 1",  # 「解決しました」 on the answer
        "@bot お疲れさまです",  # chit-chat: left out
        "@bot 駐車場の場所を教えてください",  # nothing known of its answer
        "@bot 支払い方法は何がありますか？",
        "click 2",  # 「解決しない」: the answer is not the label
        "/as U0OTHER",
        "@bot 解約方法は?",  # the same wording again
    )
    capsys.readouterr()
    out = tmp_path / "questions.csv"
    assert main(["faq", "questions", "--out", str(out)]) == 0
    assert "4 questions, 2 labelled from Slack, 2 to label" in capsys.readouterr().err
    with out.open(encoding="utf-8-sig", newline="") as file:
        rows = {row["question"]: row for row in csv.DictReader(file)}
    assert set(rows) == {"解約方法は?", LINKED, "駐車場の場所を教えてください", "支払い方法は何がありますか？"}
    unsolved = rows["支払い方法は何がありますか？"]
    assert (unsolved["heading"], unsolved["evidence"]) == ("?", "解決しない ×1")
    assert unsolved["bot"] == "answer: 支払い方法は何がありますか？"
    solved = rows["解約方法は?"]
    assert (solved["heading"], solved["asked"], solved["evidence"]) == ("解約方法は？", "2", "解決しました ×1")
    assert solved["bot"] == "answer: 解約方法は？" and solved["last_asked"].startswith("20")
    assert (rows[LINKED]["heading"], rows[LINKED]["evidence"]) == ("請求書の発行は可能ですか？", "linked in Slack")
    assert rows["駐車場の場所を教えてください"]["heading"] == "?"

    # the file is a check file: the rows still marked "?" are left out until labelled
    assert main(["faq", "check", str(out)]) == 0
    captured = capsys.readouterr()
    assert "2 question(s) still marked “?” left out" in captured.err
    assert "2 questions: 2 in scope, 0 out of scope" in captured.out
