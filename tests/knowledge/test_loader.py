from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from knowledge import BUNDLED_KNOWLEDGE
from knowledge.loader import entry_id, load_entries, parse_markdown

SEED_HEADINGS = [
    "トライアル期間の延長は可能ですか？",
    "データのバックアップは取れますか？",
    "プランのダウングレードはできますか？",
    "SSOはどのIdPに対応していますか？",
    "API レート制限はありますか？",
    "ユーザー数の上限はありますか？",
    "招待メールが届かないと言われたら？",
    "「予期せぬエラー」が表示される",
    "ログインできない (パスワードを忘れた)",
    "動作が遅い",
    "請求書の発行は可能ですか？",
    "支払い方法は何がありますか？",
    "解約方法は？",
]

SAMPLE = """---
title: sample
---

# Title

## 一般 (General)

### Q: 質問一つ目？

**言い換え**: 別の聞き方 / another way
**A**: 答えです。[ガイド](https://example.com/guide)

1. 手順1
2. 手順2

**エスカレーション**: CS Lead

**関連ドキュメント**: [文書](https://example.com/doc), [仕様](https://example.com/spec)

<!-- **A**: コメントの中は無視 -->

### Q: 質問二つ目

**手順**: 管理画面 > 設定

本文だけの答え

## 別カテゴリ

### レベル1: 見出しだけ

- Q&Aではない

### Q: 三つ目

**テンプレート**: [チケット](https://example.com/t)
"""


def test_bundled_faq_keeps_every_seed_heading() -> None:
    questions = [e.question for e in load_entries(BUNDLED_KNOWLEDGE / "faq.md")]
    assert questions == SEED_HEADINGS


def test_bundled_entries_have_answers_and_sources() -> None:
    entries = load_entries(BUNDLED_KNOWLEDGE)
    assert len(entries) >= len(SEED_HEADINGS) + 5
    for entry in entries:
        assert entry.answer.strip(), entry.question
        assert entry.source.endswith(".md") and entry.line > 0
    sso = next(e for e in entries if e.question.startswith("SSO"))
    assert "Okta" in sso.answer and sso.links[0].url.startswith("https://")
    assert sso.alternatives and sso.category.startswith("機能")


def test_fields_are_parsed() -> None:
    first, second, third = parse_markdown(SAMPLE, "sample.md")
    assert first.question == "質問一つ目？"
    assert first.category == "一般 (General)"
    assert first.alternatives == ("別の聞き方", "another way")
    assert first.answer.startswith("答えです。") and "2. 手順2" in first.answer
    assert "コメント" not in first.answer
    assert first.escalation == "CS Lead"
    assert [link.title for link in first.links] == ["文書", "仕様"]
    assert first.line == 9 and first.location == "sample.md:9"
    # Lines after a field belong to it, as the steps after "**A**:" do; so this entry has no answer.
    assert second.sections == (("手順", "管理画面 > 設定\n\n本文だけの答え"),)
    assert second.answer == ""
    assert third.category == "別カテゴリ"
    assert third.links[0].label == "テンプレート"


def test_ids_are_stable_and_distinct() -> None:
    entries = load_entries(BUNDLED_KNOWLEDGE)
    assert len({e.id for e in entries}) == len(entries)
    assert entry_id("faq.md", "解約方法は？") == entry_id("faq.md", "解約方法は？")
    assert entry_id("faq.md", "解約方法は？").startswith("faq-")


def test_explicit_id_wins() -> None:
    (entry,) = parse_markdown("### Q: x\n**ID**: Cancel Plan\n**A**: y\n", "a.md")
    assert entry.id == "cancel-plan"


def test_loads_a_single_file_or_folder(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.md").write_text("### Q: a\n**A**: 1\n", encoding="utf-8")
    (tmp_path / "sub" / "b.md").write_text("### Q: b\n**A**: 2\n", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("### Q: c\n**A**: 3\n", encoding="utf-8")
    assert [e.source for e in load_entries(tmp_path)] == ["a.md", "sub/b.md"]
    assert [e.question for e in load_entries(tmp_path / "a.md")] == ["a"]


markdownish = st.lists(
    st.one_of(
        st.text(max_size=40),
        st.sampled_from(
            ["### Q: ", "## ", "**A**: ", "**言い換え**: ", "---", "<!--", "-->", "1. ", "- ", "[x](", ")"]
        ),
    ),
    max_size=40,
).map("".join)


@settings(max_examples=150)
@given(markdownish)
def test_arbitrary_markdown_never_crashes_the_loader(text: str) -> None:
    for entry in parse_markdown(text, "fuzz.md"):
        assert isinstance(entry.question, str) and entry.line >= 1


def test_labels_with_the_colon_inside_the_bold_are_read() -> None:
    (entry,) = parse_markdown(
        "### Q: 解約は？\n**A:** 管理画面から。\n**言い換え：** やめたい / cancel\n**エスカレーション:** CS Lead"
    )
    assert entry.answer == "管理画面から。" and entry.alternatives == ("やめたい", "cancel")
    assert entry.escalation == "CS Lead"
