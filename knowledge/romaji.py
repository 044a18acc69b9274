"""Romaji left over from a Japanese input method, turned back into kana.

People typing fast leave letters unconverted: 「できまsuか」, 「おわらnai」, 「だけdo」,
「ろぐいんできまsん」. A run of Latin letters written against hiragana is read as romaji and
converted (「ますか」, 「ない」, 「だけど」); a consonant that makes no syllable is dropped. Capitalised
words (API, Slack), words the knowledge base uses and Latin words not right after hiragana are
left as they are.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_VOWELS = {"a": 0, "i": 1, "u": 2, "e": 3, "o": 4}
_ROWS: dict[str, str | tuple[str, ...]] = {
    "": "あいうえお",
    "k": "かきくけこ",
    "s": "さしすせそ",
    "t": "たちつてと",
    "n": "なにぬねの",
    "h": "はひふへほ",
    "m": "まみむめも",
    "y": "やいゆえよ",
    "r": "らりるれろ",
    "w": "わゐうゑを",
    "g": "がぎぐげご",
    "z": "ざじずぜぞ",
    "d": "だぢづでど",
    "b": "ばびぶべぼ",
    "p": "ぱぴぷぺぽ",
    "f": ("ふぁ", "ふぃ", "ふ", "ふぇ", "ふぉ"),
    "j": ("じゃ", "じ", "じゅ", "じぇ", "じょ"),
    "l": "ぁぃぅぇぉ",
    "x": "ぁぃぅぇぉ",
    "c": "かしくせこ",
    "v": ("ゔぁ", "ゔぃ", "ゔ", "ゔぇ", "ゔぉ"),
}
_DIGRAPHS = {"sh": "し", "ch": "ち", "ts": "つ", "ky": "き", "gy": "ぎ", "ny": "に", "hy": "ひ", "my": "み", "ry": "り"}
_SMALL_Y = "ゃぃゅぇょ"
_SYLLABLE = re.compile(r"(sh|ch|ts|[kgnhmrbp]y|[kstnhmyrwgzdbpfjlxcv]?)([aiueo])")
_LATIN_AFTER_HIRAGANA = re.compile(r"(?<=[ぁ-ゖー])[a-z]+")


def kana_of(romaji: str) -> str:
    """Hiragana for a romaji run: 「nai」 → 「ない」, 「su」 → 「す」; stray consonants are dropped."""
    out: list[str] = []
    position = 0
    while position < len(romaji):
        rest = romaji[position:]
        if len(rest) >= 2 and rest[0] == rest[1] and rest[0] not in "aiueon":
            out.append("っ")  # a doubled consonant: kitte
            position += 1
            continue
        match = _SYLLABLE.match(rest)
        if match:
            out.append(_syllable(match.group(1), match.group(2)))
            position += match.end()
        elif rest[0] == "n":
            out.append("ん")
            position += 1
        else:
            position += 1  # a consonant with no vowel: a slip of the finger
    return "".join(out)


def _syllable(consonant: str, vowel: str) -> str:
    index = _VOWELS[vowel]
    if consonant in _DIGRAPHS:
        base = _DIGRAPHS[consonant]
        if vowel == "i" or (consonant == "ts" and vowel == "u"):
            return base
        return base + ("ぁぃぅぇぉ" if consonant == "ts" else _SMALL_Y)[index]
    return _ROWS[consonant][index]


def convert_leftover_romaji(text: str, is_word: Callable[[str], bool] = lambda word: False) -> str:
    """Lower-case Latin letters typed right after hiragana, read as romaji, unless `is_word` knows
    them (「このapiは」 keeps api when the knowledge base uses it). Run before case folding."""
    if text.isascii() or not _LATIN_AFTER_HIRAGANA.search(text):
        return text
    return _LATIN_AFTER_HIRAGANA.sub(lambda m: m.group(0) if is_word(m.group(0)) else kana_of(m.group(0)), text)
