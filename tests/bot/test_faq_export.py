"""`supportbot faq export` (bot/faq_export.py): what was taught, written into the Markdown files so that
the files, loaded fresh, answer like the live bot; exporting again adds nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import select

from bot.clock import ManualClock
from bot.database import Database
from bot.faq_drafts import NewDraft
from bot.faq_export import export_taught
from bot.models import FaqDraft, FaqPhrasing
from bot.services import Services
from knowledge.lint import lint_path
from knowledge.search import KnowledgeIndex
from tests.bot.test_cases import Recorder
from tests.teaching import AGENT, FORGOT, PARKING, RECEIPTS, entry_id, hr_knowledge, teaching_services

TAUGHT = [FORGOT, RECEIPTS, "年休の残りを確認したい", PARKING, "駐車場 予約", "交通費の締め日は？"]
OTHERS = ["打刻忘れの修正方法は？", "有給休暇の残日数はどこで見られますか？", "経費いつまで", "ランチどこ行く？"]


@pytest.fixture
def services(db: Database, clock: ManualClock, tmp_path: Path) -> Services:
    return teaching_services(db, clock, hr_knowledge(tmp_path / "kb"), Recorder())


def teach_everything(services: Services) -> None:
    """Phrasings for entries with and without 言い換え, entries for a known and a new category, and a
    phrasing learned for an entry written in Slack."""
    teaching, index = services.teaching, services.index
    teaching.link(entry_id=entry_id(index, "打刻忘れの修正方法は？"), text=FORGOT, agent=AGENT)
    teaching.link(entry_id=entry_id(index, "経費精算の締め日はいつですか？"), text=RECEIPTS, agent=AGENT)
    teaching.link(entry_id=entry_id(index, "有給休暇の残日数はどこで見られますか？"), text=TAUGHT[2], agent=AGENT)
    for draft in (
        NewDraft("社用車の駐車場を予約するには？", "総務ポータルの「駐車場予約」から予約します。", category="総務"),
        NewDraft(
            "交通費の精算はいつまでに出せばいいですか？",
            "利用した月の翌月5日までに申請してください。\n## 遅れたとき\n上長の承認で翌々月まで受け付けます。",
            category="経費",
            escalation="経理部 / 山田",
            links="精算ガイド https://intra.example.com/expenses?a=(1)",
        ),
    ):
        row = teaching.drafts.save(draft, AGENT)
        assert row.id is not None
        teaching.drafts.approve(row.id, AGENT)
    parking = next(e for e in index.entries if e.question.startswith("社用車"))
    teaching.link(entry_id=parking.id, text="駐車場 予約", agent=AGENT)
    transport = next(e for e in index.entries if e.question.startswith("交通費の精算"))
    teaching.link(entry_id=transport.id, text="交通費の締め日は？", agent=AGENT)


def answers(index: KnowledgeIndex, questions: list[str]) -> list[tuple[str, str | None]]:
    found = []
    for question in questions:
        result = index.search(question, answer_threshold=0.35, suggest_threshold=0.10)
        found.append((result.decision, result.best.entry.id if result.best else None))
    return found


def test_exported_files_loaded_fresh_answer_like_the_live_bot(services: Services, tmp_path: Path) -> None:
    teach_everything(services)
    out = tmp_path / "exported"
    report = export_taught(services.db, services.clock, services.config.knowledge_path(), out)
    assert report.phrasings == {"hr.md": 3} and report.entries == {"hr.md": 1, "learned.md": 1}
    fresh = KnowledgeIndex.from_path(out)
    assert answers(fresh, TAUGHT + OTHERS) == answers(services.index, TAUGHT + OTHERS)
    assert [decision for decision, _ in answers(fresh, TAUGHT)] == ["answer"] * len(TAUGHT)
    assert not [f for f in lint_path(out) if f.blocking]  # the loader reads every line as meant

    hr = (out / "hr.md").read_text(encoding="utf-8")
    assert "**言い換え**: 有休の残りを知りたい / 年休の残りを確認したい" in hr  # appended to the line it had
    assert "### Q: 打刻忘れの修正方法は？\n\n**言い換え**: 出勤ボタン押し忘れた\n" in hr  # a line of its own
    assert hr.index("### Q: 交通費の精算はいつまでに") > hr.index("## 経費")  # under its category
    assert "\\## 遅れたとき" in hr  # a line of the answer that would start a heading is made inert
    learned = (out / "learned.md").read_text(encoding="utf-8")
    assert (
        "## 総務\n\n### Q: 社用車の駐車場を予約するには？\n\n**言い換え**: 駐車場 予約\n\n**ID**: learned-" in learned
    )


def test_exporting_again_changes_nothing(services: Services, db: Database, tmp_path: Path) -> None:
    teach_everything(services)
    out = tmp_path / "exported"
    export_taught(services.db, services.clock, services.config.knowledge_path(), out)
    first = {path.name: path.read_text(encoding="utf-8") for path in out.glob("*.md")}
    with db.transaction() as session:
        assert all(row.exported_at for row in session.exec(select(FaqPhrasing)).all())
        assert all(row.exported_at for row in session.exec(select(FaqDraft)).all())
    assert export_taught(services.db, services.clock, services.config.knowledge_path(), out).written == 0
    again = export_taught(services.db, services.clock, services.config.knowledge_path(), out, again=True)
    assert again.written == 0 and again.already == 5  # the files have them: nothing is written twice
    assert {path.name: path.read_text(encoding="utf-8") for path in out.glob("*.md")} == first


def test_exporting_into_the_knowledge_folder_and_reloading_keeps_the_answers(services: Services) -> None:
    teach_everything(services)
    before = answers(services.index, TAUGHT + OTHERS)
    knowledge = services.config.knowledge_path()
    export_taught(services.db, services.clock, knowledge)  # in place, as a team does before a commit
    assert {path.name for path in knowledge.glob("*.md")} == {"hr.md", "learned.md"}
    services.knowledge.reload_files(force=True)
    assert answers(services.index, TAUGHT + OTHERS) == before
    restarted = teaching_services(services.db, services.clock, knowledge)  # the files and the database together
    assert answers(restarted.index, TAUGHT + OTHERS) == before
