"""Soft terms (knowledge.soft_terms): the shipped Sudachi synonym data's format, and expansion."""

from __future__ import annotations

import gzip

import pytest

from knowledge import soft_terms
from knowledge.normalize import matching_key
from knowledge.search import KnowledgeIndex
from knowledge.soft_terms import DATA_FILE, NEAR_WEIGHT, SAME_LEXEME_WEIGHT, SoftMode, parse
from knowledge.tokens import Token


@pytest.fixture(autouse=True)
def _reset_mode():
    yield
    soft_terms.configure(None)


def test_the_shipped_data_has_the_format_the_module_reads() -> None:
    """Contract: `group<TAB>lexeme<TAB>trigger<TAB>word`, numbers, trigger 0 or 1, a comment header
    naming its licence; Sudachi's 宛先 group is there, with 宛先 and 送付先 as different lexemes."""
    with gzip.open(DATA_FILE, "rt", encoding="utf-8") as handle:
        lines = handle.read().splitlines()
    header = [line for line in lines if line.startswith("#")]
    assert any("Apache License 2.0" in line for line in header)
    rows = [line.split("\t") for line in lines if line and not line.startswith("#")]
    assert len(rows) > 50_000
    for group, lexeme, trigger, word in rows:
        assert group.isdigit() and lexeme.isdigit() and trigger in ("0", "1") and word.strip() == word != ""
    table = soft_terms.table()
    groups = {g for g, _ in table.triggers[matching_key("宛先")]}
    members = {word: lexeme for g in groups for word, lexeme in table.members[g]}
    assert members[matching_key("送付先")] != members[matching_key("宛先")]
    assert members[matching_key("あて先")] == members[matching_key("宛先")]


def test_parse_keeps_targets_that_may_not_trigger() -> None:
    table = parse(["# comment", "7\t1\t1\t宛先", "7\t2\t0\t送付先", ""])
    assert set(table.triggers) == {matching_key("宛先")}
    assert table.members[7] == ((matching_key("宛先"), 1), (matching_key("送付先"), 2))


def _token(surface: str) -> Token:
    return Token(surface, matching_key(surface), "", "noun", 0, len(surface))


def _expand(mode: SoftMode, indexed: set[str]) -> tuple[dict[str, float], dict[str, str]]:
    soft_terms.configure(mode)
    terms = {matching_key("宛先"): 1.0}
    table_targets = {matching_key(w): (matching_key(w),) for w in ("あて先", "送付先", "配送先")}
    added = soft_terms.expand([_token("宛先")], terms, indexed, lambda member: table_targets.get(member, ()))
    return terms, added


def test_expansion_adds_only_indexed_synonyms_with_a_lower_weight() -> None:
    indexed = {matching_key("送付先"), matching_key("あて先")}
    terms, added = _expand(SoftMode.ALL, indexed)
    assert terms[matching_key("あて先")] == SAME_LEXEME_WEIGHT
    assert terms[matching_key("送付先")] == NEAR_WEIGHT
    assert matching_key("配送先") not in terms  # not indexed
    assert added == {matching_key("あて先"): "宛先", matching_key("送付先"): "宛先"}


def test_off_and_unknown_modes_leave_known_words_alone() -> None:
    indexed = {matching_key("宛先"), matching_key("送付先")}
    assert _expand(SoftMode.OFF, indexed) == ({matching_key("宛先"): 1.0}, {})
    assert _expand(SoftMode.UNKNOWN, indexed)[1] == {}
    assert _expand(SoftMode.UNKNOWN, {matching_key("送付先")})[1] == {matching_key("送付先"): "宛先"}


def test_the_index_shows_expansions_in_its_query_and_explanation(tmp_path) -> None:
    faq = tmp_path / "faq.md"
    faq.write_text(
        "# 配送\n\n### Q: 送付先を変更したい\n**A**: 注文履歴から変更できます。\n\n"
        "### Q: 宛先の書き方は？\n**A**: 郵便番号から書きます。\n",
        encoding="utf-8",
    )  # 宛先 is known, so repairs leave it; only soft terms reach 送付先
    index = KnowledgeIndex.from_path(faq)
    assert index.query("宛先を変更したい").expansions == {}
    soft_terms.configure(SoftMode.ALL)
    query = index.query("宛先を変更したい")
    source = query.expansions.get(matching_key("送付先"))
    assert source in query.terms  # the key of the question's 宛先
    assert query.terms[matching_key("送付先")] == pytest.approx(NEAR_WEIGHT)  # a noun of weight 1 × a near synonym
    assert index.explain("宛先を変更したい")["expansions"] == dict(query.expansions)


def test_an_ask_word_is_covered_by_its_soft_terms() -> None:
    asks = [(frozenset({"#変更"}), 1.0), (frozenset({"宛テ先"}), 1.0)]
    assert soft_terms.widen(asks, {}) is asks
    widened = soft_terms.widen(asks, {"送付先": "宛テ先"})
    assert widened == [(frozenset({"#変更"}), 1.0), (frozenset({"宛テ先", "送付先"}), 1.0)]
