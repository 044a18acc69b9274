"""Audiences (issue 11): who an entry is for, from the file's front matter or the entry's 公開範囲, and
a search limited to the entries for customers."""

from __future__ import annotations

from knowledge import BUNDLED_KNOWLEDGE
from knowledge.lint import lint_text
from knowledge.loader import Audience, load_entries, parse_markdown
from knowledge.search import KnowledgeIndex

FILE = """---
title: 混在
audience: customer
---

## 請求

### Q: 請求書の再発行はできますか？

**A**: 管理画面の「請求」から再発行できます。

### Q: 請求書の宛名を変えたいと営業から言われたら？

**公開範囲**: 社内

**A**: 経理チームに依頼してください。

**エスカレーション**: 経理 @keiri
"""


def test_the_front_matter_sets_the_files_audience_and_an_entry_may_say_otherwise() -> None:
    public, internal = parse_markdown(FILE, "billing.md")
    assert (public.audience, internal.audience) == (Audience.CUSTOMER, Audience.INTERNAL)
    assert [s for s in internal.sections if s[0] == "公開範囲"] == []  # not shown as a section
    (plain,) = parse_markdown("### Q: 質問\n\n**A**: 回答\n", "x.md")
    assert plain.audience is Audience.INTERNAL  # the default: the team only
    (english,) = parse_markdown("### Q: q\n\n**Audience**: Customer\n\n**A**: a\n", "x.md")
    assert english.audience is Audience.CUSTOMER


def test_the_bundled_faq_is_internal_and_the_support_policy_is_for_customers() -> None:
    entries = load_entries(BUNDLED_KNOWLEDGE)
    assert {e.audience for e in entries if e.source == "faq.md"} == {Audience.INTERNAL}
    internal = [e.question for e in entries if e.source == "support-policy.md" and e.audience is Audience.INTERNAL]
    assert internal == ["エスカレーションの流れは？"]  # the team's escalation path, marked 社内
    assert len([e for e in entries if e.source == "support-policy.md"]) > len(internal) + 5


def test_lint_knows_the_audience_label() -> None:
    _, findings = lint_text(FILE, "billing.md")
    assert not [f for f in findings if "公開範囲" in str(f)]


def test_a_search_for_customers_never_returns_an_internal_entry() -> None:
    index = KnowledgeIndex.build(parse_markdown(FILE, "billing.md"))
    question = "請求書の宛名を変えたいと営業から言われたら？"
    assert index.search(question).answer is not None
    assert index.search(question).answer.audience is Audience.INTERNAL  # type: ignore[union-attr]
    limited = index.search(question, audience=Audience.CUSTOMER)
    assert all(c.entry.audience is Audience.CUSTOMER for c in limited.candidates)
