"""The ask clause of a long message: background words count less, short questions are unchanged."""

from __future__ import annotations

import pytest

from knowledge import ask_clause
from knowledge.ask_clause import asks, clauses, focus
from knowledge.normalize import normalize_text
from knowledge.search import KnowledgeIndex
from knowledge.terms import Analyzer, analyzer_for
from knowledge.tokens import Token, tokenize


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return analyzer_for(None)


def _tokens(text: str) -> list[Token]:
    return tokenize(normalize_text(text))


def _texts(text: str) -> list[str]:
    return ["".join(t.surface for t in clause) for clause in clauses(_tokens(text))]


def test_sentences_and_conjunctive_clauses_are_cut() -> None:
    parts = _texts("先月から使っているのですが、請求書が届きません。再送してもらえますか？")
    assert parts == ["先月から使っているのですが、", "請求書が届きません。", "再送してもらえますか?"]


def test_a_comma_in_a_list_does_not_cut() -> None:
    assert len(_texts("氏名、住所、電話番号を変更したい")) == 1


@pytest.mark.parametrize(
    "text",
    ["再送してもらえますか", "手順を教えてください", "どうすればいいでしょう", "変更したい", "How do I reset it?"],
)
def test_questions_and_requests_ask(text: str) -> None:
    assert asks(_tokens(text))


@pytest.mark.parametrize("text", ["請求書が届きません", "何か変なメールが来ました", "It stopped working."])
def test_statements_do_not_ask(text: str) -> None:
    assert not asks(_tokens(text))


def test_background_words_are_down_weighted(analyzer: Analyzer) -> None:
    tokens = _tokens("来週から新しい部署に異動するのですが、パスワードを変更する方法を教えてください。")
    terms = analyzer.terms(tokens)
    focused = focus(tokens, analyzer, terms)
    assert focused.ask.startswith("パスワード")
    assert focused.terms["#パスワード"] == terms["#パスワード"]
    background = [t for t in terms if focused.terms[t] < terms[t]]
    assert background and all(focused.terms[t] == terms[t] * ask_clause.BACKGROUND_WEIGHT for t in background)


@pytest.mark.parametrize("text", ["パスワードを変更したい", "昨日から請求書が届きません。メールも来ません。"])
def test_one_clause_or_no_ask_leaves_the_terms_alone(analyzer: Analyzer, text: str) -> None:
    tokens = _tokens(text)
    terms = analyzer.terms(tokens)
    assert focus(tokens, analyzer, terms) == ask_clause.AskFocus(terms, "")


def test_a_light_ask_takes_the_clause_before_it(analyzer: Analyzer) -> None:
    tokens = _tokens(
        "本社はフレックスです。勤務ルールを作ろうとしたら変形労働が選べませんでした。何か条件があるのでしょうか？"
    )
    assert focus(tokens, analyzer, analyzer.terms(tokens)).ask.startswith("勤務ルール")


def test_explain_shows_the_ask_clause(index: KnowledgeIndex) -> None:
    explained = index.explain("来月から経理の担当が変わるのですが、請求書の送付先を変更できますか？")
    assert explained["ask_clause"].startswith("請求書")
    assert explained["background"]  # the words said only before it
    assert index.explain("請求書の送付先を変更できますか？")["ask_clause"] == ""
