"""A question as the search reads it: its terms and asks, and the text the embeddings read.

A message typed with no kanji at all is first converted as an input method would
(`knowledge.kana_kanji`: でんわばんごうがかわった → 電話番号が変わった); everything below reads that.
The lexical matcher reads a question through its repairs (`knowledge.repairs`): romaji converted
(ろぐいんできnai), words typed by sound found by their reading (ぱすわーど → パスワード), typos
corrected, half-width katakana made full-width. The embeddings used to read the question as typed,
and a question typed in hiragana or with romaji left in it reads as noise to them. So they read
`Query.read_as`: the question with each span typed in kana that a repair read as a noun written as
that word; a question no repair changed is read as typed (NFKC: half-width katakana made
full-width). On the published foreign sets the learned judge then ranks first 0.79 of the hiragana
questions instead of 0.74, and 0.94 of those with typos instead of 0.91 (docs/faq-measurements.md, round 12).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import replace

from knowledge import ask_clause, soft_terms
from knowledge.asks import asks_of
from knowledge.kana_kanji import convert_unconverted
from knowledge.normalize import compact, is_kana, normalize_text, to_hiragana
from knowledge.repairs import Lexicon
from knowledge.romaji import convert_leftover_romaji, convert_romaji_words, romaji_message
from knowledge.scoring import Query
from knowledge.tokens import Token, is_dictionary_word, tokenize


def parse(text: str, lexicon: Lexicon, indexed: soft_terms.Holds) -> Query:
    """A question reduced to its weighted terms and its asks, with the text the embeddings read."""
    knows = lexicon.knows
    typed, text = text, convert_unconverted(text)
    readable = convert_leftover_romaji(romaji_message(unicodedata.normalize("NFKC", text), knows), knows)
    readable = convert_romaji_words(readable, lambda word: knows(word) or is_dictionary_word(word))
    normalized = normalize_text(readable)
    tokens = lexicon.repair(tokenize(normalized))
    analyzer = lexicon.analyzer
    found = ask_clause.query(text, tokens, analyzer, asks_of(tokens, analyzer), compact(text))
    found = soft_terms.applied(found, tokens, indexed, lexicon)
    return replace(found, text=typed, read_as=read_as(readable, normalized, tokens))


def read_as(readable: str, normalized: str, tokens: Sequence[Token]) -> str:
    """`readable` (the question, NFKC, romaji converted), or, when a repair found a word in a span
    typed in kana, `normalized` with that span written as the words it was read as (ぱすわーど →
    パスワード, ろぐいんできない → ログイン出来ない)."""
    parts: list[str] = []
    span_start = at = 0
    replacing = False
    for token in sorted(tokens, key=lambda t: (t.start, t.end)):
        if token.start < at:
            if replacing and (token.start, token.end) == (span_start, at):  # one reading, several words
                parts.append(_spelled(token.surface))
            continue
        typed = normalized[token.start : token.end]
        # Typed in kana and read as a noun: a word typed by sound or misspelt, which the embeddings
        # misread. Other repairs (of kanji, of English words, grammar read as a word) keep what was typed.
        replacing = token.kind == "noun" and token.surface != typed and is_kana(typed)
        parts += [normalized[at : token.start], _spelled(token.surface) if replacing else typed]
        span_start, at = token.start, token.end
    parts.append(normalized[at:])
    repaired = "".join(parts)
    return repaired if repaired != normalized else readable


_OKURIGANA = re.compile(r"^(.*[\u4e00-\u9fff々])([ァ-ヺ]{1,4})$")


def _spelled(form: str) -> str:
    """A word's key as people write it: okurigana in hiragana (使エ → 使え, 新シイ → 新しい)."""
    found = _OKURIGANA.match(form)
    return found.group(1) + to_hiragana(found.group(2)) if found else form
