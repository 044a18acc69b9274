"""Asks: what a question asks for (the action or attribute), found by part of speech."""

from __future__ import annotations

import pytest

from knowledge.asks import asks_of, split_background
from knowledge.normalize import normalize_text
from knowledge.terms import Analyzer, analyzer_for
from knowledge.tokens import tokenize


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return analyzer_for(None)


def _asks(analyzer: Analyzer, text: str) -> list[set[str]]:
    return [set(terms) for terms, _ in asks_of(tokenize(normalize_text(text)), analyzer)]


def test_the_predicate_and_the_attribute_it_acts_on(analyzer: Analyzer) -> None:
    asks = _asks(analyzer, "請求書の宛名を変更したい")
    assert asks[0] == {"#変更"} and asks[1] == {"宛テ名"}  # 宛名 of 請求書; not 請求書 itself


def test_a_verb_is_an_ask(analyzer: Analyzer) -> None:
    assert _asks(analyzer, "解約したらデータはいつ消える？") == [{"#削除"}]  # the last predicate, not 解約


def test_generic_words_are_skipped(analyzer: Analyzer) -> None:
    ask, attribute = _asks(analyzer, "SSOの設定代行をお願いできますか")
    assert ask == set(analyzer.terms(tokenize("代行")))  # 代行, not お願い or できる
    assert attribute == set(analyzer.terms(tokenize("設定")))  # 設定 of SSO
    assert _asks(analyzer, "API?") == []


def test_english_words_mapped_to_an_action_are_asks(analyzer: Analyzer) -> None:
    assert {"#削除"} in _asks(analyzer, "How do I delete a user?")


def test_background_sentences_are_not_the_ask(analyzer: Analyzer) -> None:
    tokens = tokenize(normalize_text("昨日機種変更をしました。アプリで打刻できません。"))
    background, question = split_background(tokens)
    assert "機種" in "".join(t.surface for t in background) and "打刻" in "".join(t.surface for t in question)
    assert _asks(analyzer, "昨日機種変更をしました。アプリで打刻できません。") == [
        set(analyzer.terms(tokenize("打刻")))
    ]
