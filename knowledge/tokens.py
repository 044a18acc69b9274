"""Tokens: Sudachi's words, reduced to what matching compares.

Words are keyed by their dictionary form, so that conjugations meet (振り込む / 振り込み share
振り込); particles and endings are marked so that the analyzer can drop them. Sudachi is loaded
once per process and each thread gets its own tokenizer, because Sudachi's tokenizers must not be
shared between threads.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sudachipy import Dictionary, SplitMode

from knowledge import dictionary_pages
from knowledge.normalize import fold_long_vowel, is_kana, is_kanji, is_katakana, matching_key, to_katakana

MAX_CHUNK = 4000  # characters given to Sudachi at once (its input limit is in bytes)

NEGATIONS = {"ない", "ず", "ぬ", "ん", "無い"}
PHRASE_KINDS = frozenset({"noun", "ascii", "num", "verb", "adj", "neg", "affix", "other"})  # words phrases are made of
CONTENT_KINDS = frozenset({"noun", "ascii", "num", "verb", "adj"})  # words that say what a text is about

_HIRAGANA_WORD = re.compile("[ぁ-ゖー]+")

_dictionary_lock = threading.Lock()
_dictionary: Any = None
_local = threading.local()


def sudachi() -> Any:
    """This thread's Sudachi tokenizer (Sudachi's tokenizers must not be shared between threads)."""
    tokenizer = getattr(_local, "tokenizer", None)
    if tokenizer is None:
        global _dictionary
        with _dictionary_lock:
            if _dictionary is None:
                _dictionary = Dictionary(dict="core")
                dictionary_pages.release()  # what loading read (~75 MB): the file's, not this process's
            tokenizer = _dictionary.tokenizer(mode=SplitMode.C)
        _local.tokenizer = tokenizer
    return tokenizer


@dataclass(slots=True)
class Token:
    surface: str  # as written (normalised)
    key: str  # what matching compares: the dictionary form, normalised and stemmed
    reading: str  # katakana reading of the surface ("" when unknown)
    kind: str  # noun, ascii, num, verb, adj, neg, func, affix, other, space, punct
    start: int
    end: int
    pieces: tuple[str, ...] = ()  # keys of the parts of a compound word (請求書払い → 請求書, 払い)
    synonyms: tuple[str, ...] = ()  # Sudachi's synonym groups of the word
    action: bool = False  # a noun that names an action (Sudachi's サ変可能: 変更, 削除, 発行)


@lru_cache(maxsize=4096)
def _kind_of(pos: tuple[str, ...], normalized: str) -> str:
    major, minor = pos[0], pos[1]
    if major == "名詞":
        return "num" if minor == "数詞" else "noun"
    if major == "動詞":
        return "verb"
    if major in ("形容詞", "形状詞"):
        return "adj"
    if major == "助動詞":
        return "neg" if normalized in NEGATIONS else "func"
    if major == "助詞":
        return "func"
    if major == "空白":
        return "space"
    if major in ("補助記号", "記号"):
        return "punct"
    if major in ("接頭辞", "接尾辞"):
        return "affix"
    return "other"  # adverbs, pronouns, interjections, conjunctions


def stem(word: str, kind: str) -> str:
    """Words of one conjugation family share a key: the word up to its last kanji.

    振り込む / 振り込み → 振り込, 取り消す / 取り消し → 取り消, 間違う / 間違える → 間違.
    Only verbs, adjectives and nouns ending in okurigana are cut; 請求書 or メール stay whole, and
    so do words whose stem would be one kanji (出す / 出る, 届く / 届ける mean different things).
    """
    if kind not in ("verb", "adj", "noun") or not word or not is_hiragana(word[-1]):
        return word
    last_kanji = max((i for i, c in enumerate(word) if is_kanji(c)), default=-1)
    if last_kanji < 1 or (kind == "noun" and not is_hiragana(word[last_kanji + 1 :])):
        return word
    return word[: last_kanji + 1]


_I_ROW = str.maketrans("うくぐすつぬぶむる", "いきぎしちにびみり")


def _verb_stem(word: str, conjugation: str) -> str:
    """A verb's key: its stem when it has two kanji or more (振り込む → 振り込), else its
    continuative form, the form its noun takes, so that 忘れる meets 忘れ and 払う meets 払い
    while 出す (出し) and 出る (出) stay apart."""
    cut = stem(word, "verb")
    if cut != word or not word or not is_hiragana(word[-1]):
        return cut
    if conjugation.startswith("五段"):
        return word[:-1] + word[-1].translate(_I_ROW)
    if conjugation.startswith(("上一段", "下一段")) and word.endswith("る"):
        return word[:-1]
    return word


def is_hiragana(text: str) -> bool:
    """True for a non-empty string of hiragana and "ー" only."""
    return _HIRAGANA_WORD.fullmatch(text) is not None


def _stem_ascii(word: str) -> str:
    """Plural -s off English words (users → user); other forms are listed in the vocabulary."""
    if len(word) >= 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) >= 4 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _ascii_key(surface: str, normalized: str) -> str:
    """English words by their loanword when Sudachi knows one (users → ユーザー), else by stem."""
    if is_katakana(matching_key(normalized)):
        return matching_key(normalized)
    stem = _stem_ascii(surface.replace(" ", ""))
    return _english_lemma(stem) if stem != surface else stem


@lru_cache(maxsize=8192)
def _english_lemma(stem: str) -> str:
    tokens = list(sudachi().tokenize(stem))
    if len(tokens) == 1 and is_katakana(matching_key(tokens[0].normalized_form())):
        return matching_key(tokens[0].normalized_form())
    return stem


@lru_cache(maxsize=8192)
def is_dictionary_word(word: str) -> bool:
    """Whether Sudachi's dictionary holds `word` as one word: English written in Latin letters (demo,
    menu, site) is in it, Japanese typed in romaji (nedan, dokode) is not."""
    tokens = list(sudachi().tokenize(word))
    return len(tokens) == 1 and not tokens[0].is_oov()


def _is_ascii_word(text: str) -> bool:
    return text.isascii() and any(c.isalnum() for c in text)


# What a dictionary word becomes, whatever sentence it is in. Analysing each word once per
# process keeps index builds fast: most words of a knowledge base repeat.
_WordInfo = tuple[str, str, str, tuple[str, ...], tuple[str, ...], bool]  # key, kind, reading, pieces, synonyms, action
_word_cache: dict[tuple[int, str], _WordInfo] = {}
_WORD_CACHE_LIMIT = 200_000


def _word_info(m: Any, surface: str) -> _WordInfo:
    normalized = m.normalized_form()
    pos = tuple(m.part_of_speech())
    kind = _kind_of(pos, normalized)
    reading = m.reading_form()
    if kind in ("noun", "num") and _is_ascii_word(surface):
        key = _ascii_key(surface, normalized)
        kind = "num" if surface.isdigit() else "ascii"
    elif kind == "verb":
        key = matching_key(_verb_stem(normalized, pos[4]))
    else:
        key = "ない" if kind == "neg" else matching_key(stem(normalized, kind))
    reading = fold_long_vowel(to_katakana(reading)) if is_kana(reading) else ""
    pieces: tuple[str, ...] = ()
    if kind == "noun" and len(surface) >= 3:
        parts = m.split(SplitMode.B)
        if len(parts) < 2:
            parts = m.split(SplitMode.A)
        if len(parts) > 1:
            keys = (matching_key(stem(p.normalized_form(), "noun")) for p in parts)
            pieces = tuple(k for k in keys if len(k) >= 2)
    synonyms = tuple(f"~{g}" for g in m.synonym_group_ids()) if kind in CONTENT_KINDS else ()
    action = kind == "noun" and pos[2] == "サ変可能"
    info = (key, kind, reading, pieces, synonyms, action)
    if len(_word_cache) < _WORD_CACHE_LIMIT:
        _word_cache[(m.word_id(), surface)] = info
    return info


def tokenize(text: str) -> list[Token]:
    """The words of a normalised text (`knowledge.normalize.normalize_text`), in order.

    Runs once for every text of an index, so the loop is kept lean: a known word is one cache
    lookup, and a morpheme's surface is cut from the text rather than asked of Sudachi.
    """
    tokens: list[Token] = []
    tokenizer = sudachi()
    cached = _word_cache.get
    after_te = False  # the previous token is the particle て/で (its next verb may be subsidiary)
    for offset, chunk in _chunks(text):
        for m in tokenizer.tokenize(chunk):
            begin, end = m.begin(), m.end()
            surface = chunk[begin:end]
            # Unknown words share an id, so the surface tells them apart.
            info = cached((m.word_id(), surface)) or _word_info(m, surface)
            key, kind, reading, pieces, synonyms, action = info
            if after_te and kind in ("verb", "adj") and m.part_of_speech()[1] == "非自立可能":
                kind = "func"  # subsidiary verbs: 届いて(いる), 消して(しまう), 教えて(ください)
            after_te = kind == "func" and surface in ("て", "で")
            tokens.append(Token(surface, key, reading, kind, offset + begin, offset + end, pieces, synonyms, action))
    return tokens


def _chunks(text: str) -> Iterator[tuple[int, str]]:
    """Sudachi refuses very long input: long texts go in pieces, cut at a newline or space."""
    if len(text) <= MAX_CHUNK:
        yield 0, text
        return
    start = 0
    while len(text) - start > MAX_CHUNK:
        cut = max(text.rfind("\n", start, start + MAX_CHUNK), text.rfind(" ", start, start + MAX_CHUNK))
        end = cut + 1 if cut > start else start + MAX_CHUNK
        yield start, text[start:end]
        start = end
    yield start, text[start:]


def is_katakana_token(token: Token) -> bool:
    """A content word written in katakana (a loanword, or a word the tokenizer cut out of one)."""
    return token.kind in CONTENT_KINDS and _is_katakana_word(token.surface)


@lru_cache(maxsize=65536)
def _is_katakana_word(surface: str) -> bool:
    return is_katakana(surface)


def reading_key(reading: str) -> str:
    """Readings compared without long-vowel marks: ユーザースウ, ゆーざーすう and ユーザスウ meet."""
    return reading.replace("ー", "")
