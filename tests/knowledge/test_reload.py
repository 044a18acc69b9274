"""Reloading one changed knowledge file: entry by entry, and never into a broken state."""

from __future__ import annotations

from pathlib import Path

from knowledge.search import KnowledgeIndex

FIRST = (
    "## 請求\n\n### Q: 請求書の発行は？\n\n**A**: 管理画面から。\n\n### Q: 支払い方法は？\n\n**A**: カードと振込。\n"
)
OTHER = "## 勤怠\n\n### Q: 打刻忘れの修正は？\n\n**A**: 修正申請から。\n"


def _folder(tmp_path: Path) -> Path:
    (tmp_path / "billing.md").write_text(FIRST, encoding="utf-8")
    (tmp_path / "hr.md").write_text(OTHER, encoding="utf-8")
    return tmp_path


def test_a_changed_file_updates_only_its_entries(tmp_path: Path) -> None:
    index = KnowledgeIndex.from_path(_folder(tmp_path))
    hr = next(e for e in index.entries if e.source == "hr.md")
    payment = next(e for e in index.entries if e.question == "支払い方法は？")
    index.learn_phrasing(payment.id, "クレカ使える？")
    changed = FIRST.replace("カードと振込。", "カード、振込、請求書払い。").replace(
        "### Q: 請求書の発行は？\n\n**A**: 管理画面から。\n\n", ""
    )
    (tmp_path / "billing.md").write_text(changed + "\n### Q: 領収書は出せますか？\n\n**A**: はい。\n", encoding="utf-8")
    result = index.reload_file(tmp_path / "billing.md")
    assert result.ok and len(result.added) == 1 and result.changed == (payment.id,) and len(result.removed) == 1
    questions = {e.question for e in index.entries}
    assert questions == {"支払い方法は？", "領収書は出せますか？", "打刻忘れの修正は？"}
    assert index.get(hr.id) is hr and index.learned(payment.id) == ("クレカ使える？",)
    answer = index.search("領収書は出せますか？").answer
    assert answer is not None and answer.question == "領収書は出せますか？"


def test_a_broken_file_keeps_the_last_good_entries_and_says_where(tmp_path: Path) -> None:
    index = KnowledgeIndex.from_path(_folder(tmp_path))
    before = index.entries
    (tmp_path / "billing.md").write_text(FIRST + "\n**回答** ここにコロンがない\n", encoding="utf-8")
    result = index.reload_file(tmp_path / "billing.md")
    assert not result.ok and index.entries == before
    (error,) = result.errors
    assert error.source == "billing.md" and error.line == 11 and "colon" in error.message
    (tmp_path / "billing.md").write_bytes(b"\xff\xfe broken")
    unreadable = index.reload_file(tmp_path / "billing.md")
    assert not unreadable.ok and "cannot read" in unreadable.errors[0].message and index.entries == before


def test_a_deleted_file_removes_its_entries(tmp_path: Path) -> None:
    index = KnowledgeIndex.from_path(_folder(tmp_path))
    (tmp_path / "hr.md").unlink()
    result = index.reload_file(tmp_path / "hr.md")
    assert result.ok and len(result.removed) == 1
    assert {e.source for e in index.entries} == {"billing.md"}
