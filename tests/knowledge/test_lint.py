from pathlib import Path

from knowledge import BUNDLED_KNOWLEDGE
from knowledge.lint import lint_path

SEED_FAQ = Path(__file__).resolve().parents[3] / "shared" / "seeds" / "000_f12008867945ec5e.txt"


def test_bundled_knowledge_is_clean() -> None:
    findings = lint_path(BUNDLED_KNOWLEDGE)
    assert [str(f) for f in findings if f.level == "error"] == []


def test_reports_placeholders_links_duplicates_and_empty_answers(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text(
        "## cat\n\n### Q: 上限は？\n\n**A**: 1時間あたり[制限値]です。[API仕様](link)\n\n"
        "### Q: 空の質問\n\n**エスカレーション**: CS Lead\n\n"
        "### Q: 上限は?\n\n**A**: 重複\n\n**Foo**: 未知\n",
        encoding="utf-8",
    )
    findings = lint_path(tmp_path)
    messages = [f"{f.line}:{f.level}:{f.message}" for f in findings]
    assert any("unfilled placeholder [制限値]" in m for m in messages)
    assert any("link without a real address (link)" in m for m in messages)
    assert any("no answer for “空の質問”" in m for m in messages)
    assert any("duplicate question" in m for m in messages)
    assert any(m.startswith("15:warning:unknown field") for m in messages)


def test_placeholders_inside_comments_are_ignored(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("### Q: x\n**A**: ok\n<!-- **A**: [金額] -->\n> [!NOTE]\n", encoding="utf-8")
    assert lint_path(tmp_path) == []


def test_the_unfilled_seed_fails(tmp_path: Path) -> None:
    if not SEED_FAQ.exists():
        return
    target = tmp_path / "seed.md"
    target.write_text(SEED_FAQ.read_text(encoding="utf-8"), encoding="utf-8")
    errors = [f for f in lint_path(target) if f.level == "error"]
    assert any("[制限値]" in f.message for f in errors)
    assert any("[IdP名1]" in f.message for f in errors)


def test_empty_folder_is_an_error(tmp_path: Path) -> None:
    assert [f.message for f in lint_path(tmp_path)] == ["no Markdown files found"]


def test_markers_the_loader_cannot_place_are_reported_with_their_line(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text(
        "## cat\n**A**: stray\n### Q: 解約は？\n**A:** ok\n**言い換え** やめたい\nQ: bare\n##Q: bad heading\n"
        "### Q: 次\n**A**: はい\n**重要** 太字の文は本文のうち\n",
        encoding="utf-8",
    )
    findings = {f.line: f for f in lint_path(tmp_path)}
    assert "outside any" in findings[2].message and findings[2].blocking
    assert 4 not in findings  # **A:** with the colon inside the bold is read
    assert "has no colon" in findings[5].message
    assert "marker not recognised" in findings[6].message
    assert "question marker not recognised" in findings[7].message
    assert 10 not in findings  # bold words in an answer are not markers
    assert all(f.source == "a.md" and f.level == "error" for f in findings.values())
