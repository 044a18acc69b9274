"""Tokens: Sudachi's words keyed so that the forms of one word meet and function words stand out."""

from __future__ import annotations

import threading
from itertools import pairwise

from knowledge.normalize import normalize_text
from knowledge.tokens import MAX_CHUNK, reading_key, stem, sudachi, tokenize


def _words(text: str) -> list[tuple[str, str]]:
    return [(t.key, t.kind) for t in tokenize(normalize_text(text)) if t.kind not in ("space", "punct")]


def test_conjugations_of_one_word_share_a_key() -> None:
    assert _words("振り込む")[0][0] == _words("振り込み")[0][0]
    assert _words("取り消す")[0][0] == _words("取り消し")[0][0]


def test_words_whose_stem_would_be_one_kanji_stay_apart() -> None:
    assert _words("出す")[0][0] != _words("出る")[0][0]
    assert stem("出す", "verb") == "出す" and stem("振り込む", "verb") == "振り込"
    assert stem("請求書", "noun") == "請求書"  # no okurigana: nothing to cut


def test_compounds_know_their_parts() -> None:
    (token,) = tokenize(normalize_text("請求書払い"))
    assert token.kind == "noun" and len(token.pieces) == 2 and token.pieces[0] == "請求書"


def test_english_words_are_keyed_by_their_loanword() -> None:
    assert _words("users") == [("ユーザ", "ascii")]  # plural cut, then the loanword Sudachi knows


def test_subsidiary_verbs_after_te_are_function_words() -> None:
    kinds = [kind for _, kind in _words("教えてください")]
    assert kinds[0] == "verb" and kinds[1:] == ["func", "func"]
    assert [kind for _, kind in _words("届いている")][-1] == "func"


def test_numbers_are_numbers() -> None:
    assert _words("429エラー")[0] == ("429", "num")


def test_long_texts_are_cut_for_sudachi_without_losing_a_character() -> None:
    text = normalize_text("解約方法を教えてください。 " * (3 * MAX_CHUNK // 14))
    assert len(text) > 2 * MAX_CHUNK
    tokens = tokenize(text)
    assert tokens[0].start == 0 and tokens[-1].end == len(text)
    assert all(a.end == b.start for a, b in pairwise(tokens))
    assert all(text[t.start : t.end] == t.surface for t in tokens)


def test_each_thread_has_its_own_tokenizer() -> None:
    mine = sudachi()
    assert sudachi() is mine
    theirs: list[object] = []
    thread = threading.Thread(target=lambda: theirs.append(sudachi()))
    thread.start()
    thread.join()
    assert theirs[0] is not mine


def test_readings_are_compared_without_long_vowel_marks() -> None:
    assert reading_key("ユーザースウ") == reading_key("ユーザスウ") == "ユザスウ"
