"""Terms: texts reduced to vocabulary concepts and words, weighted by how much they say."""

from __future__ import annotations

import pytest

from knowledge.normalize import normalize_text
from knowledge.search import KnowledgeIndex
from knowledge.terms import BROADER_WEIGHT, COMPONENT_WEIGHT, Analyzer, analyzer_for
from knowledge.tokens import tokenize
from knowledge.vocabulary import load_vocabulary


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return analyzer_for(None)


def _terms(analyzer: Analyzer, text: str) -> dict[str, float]:
    return analyzer.terms(tokenize(normalize_text(text)))


def test_upgrade_is_never_mistaken_for_downgrade(index: KnowledgeIndex) -> None:
    terms = index.query_terms("アップグレードしたい")
    assert "#アップグレード" in terms and "#ダウングレード" not in terms


def test_words_anywhere_in_the_text_make_a_concept(analyzer: Analyzer) -> None:
    assert _terms(analyzer, "契約をやめたい")["#解約"] == 1.0  # 契約+やめる in the vocabulary


def test_a_narrow_concept_brings_its_broader_one_weakly(analyzer: Analyzer) -> None:
    terms = _terms(analyzer, "クレカで払える")
    assert terms["#クレジットカード"] == 1.0
    assert 0.0 < terms["#支払イ方法"] <= BROADER_WEIGHT


def test_words_of_a_phrase_count_little_on_their_own(analyzer: Analyzer) -> None:
    terms = _terms(analyzer, "APIのレート制限")
    assert terms["#レート制限"] == 1.0 and terms["レート"] == pytest.approx(COMPONENT_WEIGHT)


def test_stopwords_carry_no_topic(analyzer: Analyzer) -> None:
    assert _terms(analyzer, "教えてください") == {}


def test_quantities_are_noise_but_status_codes_are_not(analyzer: Analyzer) -> None:
    assert _terms(analyzer, "429")
    assert "3" not in _terms(analyzer, "エラーが3件")


def test_a_vocabulary_is_compiled_once() -> None:
    assert analyzer_for(load_vocabulary()) is analyzer_for(load_vocabulary())


def test_terms_are_the_same_however_often_asked(analyzer: Analyzer) -> None:
    text = "管理画面から請求書をダウンロードしたい、解約もしたい"
    assert _terms(analyzer, text) == _terms(analyzer, text)
    assert list(_terms(analyzer, text)) == list(_terms(analyzer, text))  # order too: it orders sums
