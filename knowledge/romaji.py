"""Romaji left over from a Japanese input method, turned back into kana.

People typing fast leave letters unconverted: 「できまsuか」, 「おわらnai」, 「だけdo」,
「ろぐいんできまsん」. A run of Latin letters written against hiragana is read as romaji and
converted (「ますか」, 「ない」, 「だけど」); a consonant that makes no syllable is dropped. Capitalised
words (API, Slack), words the knowledge base uses and Latin words not right after hiragana are
left as they are.

Others type a whole message in romaji, with the input method off or on a device without one:
「yu-za- tsuika sitai」, 「seikyuusyo no daunro-do basyo」. When most of a message's Latin words
are Japanese syllables (Hepburn or Kunrei: shi/si, tsu/tu, sha/sya, a doubled consonant for っ, "-"
for ー) it is read as romaji (`romaji_message`), and those words become kana, which the search
reads like any kana. English has few such words ("The same candidate shows up twice" has two in
nine; words under three letters are not counted: do, an, to), and words the knowledge base uses
(api, csv) or written in capitals stay as they are.

And some switch the input method off for a word or two of a Japanese message: 「いちにちの りふとけん
nedan いくら」, 「pasuwa-do忘れて」 (`convert_romaji_words`). Such a word of four letters or more that
reads as romaji becomes kana, unless the knowledge base uses it, it is an English word (the search
passes Sudachi's dictionary: demo, menu, site), it is capitalised, or it is part of an address, a mention
or a command (info@, @here, `/case reopen`). Round 28 measured it: on 30 published
sets, only questions typed that way changed (docs/faq-measurements.md, round 28;
round 29 found none on a batch nobody had read: the same file, round 29).
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
_DIGRAPHS |= {"by": "び", "py": "ぴ", "sy": "し", "ty": "ち", "zy": "じ", "jy": "じ", "dy": "ぢ"}  # Kunrei-shiki
_SMALL_Y = "ゃぃゅぇょ"
_SYLLABLE = re.compile(r"(sh|ch|ts|[kgnhmrbpstzjd]y|[kstnhmyrwgzdbpfjlxcv]?)([aiueo])")
# A Japanese word in romaji as people type it: syllables, ん (n, nn), っ (a doubled consonant), ー
# ("-"). Not l, x, c, q or v, which those who type whole messages in romaji hardly use.
_ROMAJI_WORD = re.compile(
    r"(?:(?:sh|ch|ts|[kgnhmrbpstzjd]y|[kstnhmyrwgzdbpfj])?[aiueo]|nn?|([kstgzdbphmrfj])(?=\1)|-)+"
)
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z-]*")
ROMAJI_SHARE = 0.75  # of a message's Latin words of 3 letters or more (two or more) that must read as romaji
_LATIN_AFTER_HIRAGANA = re.compile(r"(?<=[ぁ-ゖー])[a-z]+")
_JAPANESE = re.compile(r"[ぁ-ゖァ-ヺ\u4e00-\u9fff]")
MIN_ROMAJI_WORD = 4  # shorter Latin words in a Japanese message may be English (use, are, see)
_NOT_A_WORD_AROUND = frozenset("@./:_`#0123456789")  # next to these: an address, a mention, a number


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
        if rest.startswith("nn") and (len(rest) == 2 or rest[2] not in "aiueoy"):
            out.append("ん")  # ん typed twice: kenngen
            position += 2
            continue
        if rest[0] == "-":
            out.append("ー")  # a long vowel: me-ru
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


def romaji_message(text: str, is_word: Callable[[str], bool] = lambda word: False) -> str:
    """A message typed in romaji, its Japanese words in kana (「sakujo sitai」 → 「さくじょ したい」);
    any other text as it is. `is_word` knows the knowledge base's own Latin words (api, csv)."""
    words = [w for w in _LATIN_WORD.findall(text) if not (w.isupper() and len(w) > 1) and not is_word(w.lower())]
    romaji = {w for w in words if _ROMAJI_WORD.fullmatch(w.lower())}
    longer = [w for w in words if len(w) >= 3]  # short English words read as romaji too: do, an, to
    if len(longer) < 2 or sum(w in romaji for w in longer) < ROMAJI_SHARE * len(longer):
        return text
    return _LATIN_WORD.sub(lambda m: kana_of(m.group(0).lower()) if m.group(0) in romaji else m.group(0), text)


def convert_romaji_words(text: str, is_word: Callable[[str], bool] = lambda word: False) -> str:
    """In a Japanese message, lower-case Latin words of MIN_ROMAJI_WORD letters or more that read as
    romaji, in kana: the input method was off for a word or two (「いちにちの りふとけん nedan いくら」,
    「ゆきのじょうたい dokode みれる」). Words the knowledge base uses, capitalised words and words that
    are no romaji (login, export, pdf) stay as they are, and so do parts of an address, a mention or a
    command (info@, @here, misenowa.site, `/case reopen`). Run after `romaji_message`."""
    if not _JAPANESE.search(text):
        return text

    def converted(found: re.Match[str]) -> str:
        word, before, after = (
            found.group(0),
            text[found.start() - 1 : found.start()],
            text[found.end() : found.end() + 1],
        )
        if len(word) < MIN_ROMAJI_WORD or not word.islower() or is_word(word) or not _ROMAJI_WORD.fullmatch(word):
            return word
        if before in _NOT_A_WORD_AROUND or after in _NOT_A_WORD_AROUND or text.count("`", 0, found.start()) % 2:
            return word
        return kana_of(word)

    return _LATIN_WORD.sub(converted, text)


def is_romaji_message(text: str) -> bool:
    """Whether a message reads as Japanese typed in romaji (to be answered in Japanese)."""
    return romaji_message(text) != text
