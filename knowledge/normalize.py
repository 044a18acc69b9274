"""Text normalisation for matching Japanese (and English) support questions.

People type the same word in many ways: full- or half-width (ﾕｰｻﾞｰ / ユーザー), hiragana or
katakana (ぷらん / プラン), with odd dashes for the long vowel (パスワ－ド), with or without the
final long vowel (ユーザ / ユーザー), in upper or lower case, wrapped in polite endings and
fillers (〜ですか / 〜っけ / えーと). Everything here is a pure function of its input so that the
index and the queries are normalised identically and the functions are easy to test.

Two levels are offered:

- `normalize_text` keeps the text readable for the tokenizer (Sudachi needs hiragana to stay
  hiragana) and only fixes widths, case and dash variants.
- `matching_key` and `compact` fold further, to one script (katakana, the script of loanwords
  and of Sudachi's readings) and without punctuation, for comparing words and short strings.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = [
    "compact",
    "fold_long_vowel",
    "is_kana",
    "is_katakana",
    "looks_like_question",
    "matching_key",
    "normalize_text",
    "remove_punctuation",
    "remove_punctuation_tail",
    "strip_noise",
    "to_hiragana",
    "to_katakana",
]

# Characters people use for the katakana long vowel mark (after NFKC): hyphens, dashes, minus,
# tildes and the wave dash. Only treated as "ー" right after a katakana letter.
_DASHES = "-‐‑‒–—―−ｰ~〜～"
_KATAKANA_LETTER = "ァ-ヺ"
_DASH_AFTER_KATAKANA = re.compile(rf"(?<=[{_KATAKANA_LETTER}ー])[{re.escape(_DASHES)}]+")
# "〜" or "~" stretching a hiragana word or ending a sentence ("お疲れさまです〜") is decoration.
_TRAILING_WAVE = re.compile(r"[~〜～]+(?=[\s!?。、,.！？]|$)")
_SPACES = re.compile(r"\s+")
_PUNCTUATION_TAIL = re.compile(r"[\s?？!！。.、,…〜~]+$")
_PUNCTUATION = re.compile(r"[\s\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65!-/:-@\[-`{-~・…‥]+")


def normalize_text(text: str) -> str:
    """Unicode NFKC, case folding, long-vowel dashes and spaces unified; scripts are kept.

    NFKC turns full-width ASCII into ASCII and half-width katakana (ﾕｰｻﾞｰ) into full-width
    katakana; dashes written inside katakana words (パスワ－ド, ユーザ-) become "ー".
    """
    if not unicodedata.is_normalized("NFKC", text):  # most text already is: checking is cheaper
        text = unicodedata.normalize("NFKC", text)
    text = text.casefold()
    text = _DASH_AFTER_KATAKANA.sub("ー", text)
    text = _TRAILING_WAVE.sub("", text)
    return _SPACES.sub(" ", text).strip()


# Character tables and patterns, so that these run in C: they run for every word of an index.
_TO_KATAKANA = {code: code + 0x60 for code in [*range(ord("ぁ"), ord("ゖ") + 1), ord("ゝ"), ord("ゞ")]}
_TO_HIRAGANA = {code: code - 0x60 for code in [*range(ord("ァ"), ord("ヶ") + 1), ord("ヽ"), ord("ヾ")]}
_KATAKANA_WORD = re.compile("[ァ-ヺー]+")
_KANA_WORD = re.compile("[ぁ-ゖァ-ヺー]+")


def to_katakana(text: str) -> str:
    """Hiragana letters to katakana (ぷらん → プラン); everything else unchanged."""
    return text.translate(_TO_KATAKANA)


def to_hiragana(text: str) -> str:
    """Katakana letters to hiragana (プラン → ぷらん); everything else unchanged."""
    return text.translate(_TO_HIRAGANA)


def is_katakana(text: str) -> bool:
    """True for a non-empty string of katakana letters and "ー" only."""
    return _KATAKANA_WORD.fullmatch(text) is not None


def is_kana(text: str) -> bool:
    """True for a non-empty string of hiragana, katakana and "ー" only."""
    return _KANA_WORD.fullmatch(text) is not None


def is_kanji(char: str) -> bool:
    """True for a kanji (CJK unified ideographs) or a kanji-like mark (々 〆 ヶ)."""
    return "一" <= char <= "鿿" or char in "々〆ヶ"


def fold_long_vowel(word: str) -> str:
    """Drop a final "ー" on katakana words of four or more letters (ユーザー → ユーザ).

    Technical writing often omits it (サーバ, ユーザ, フォルダ); short words keep it because
    there it tells words apart (エラー, メール).
    """
    if len(word) >= 4 and word.endswith("ー") and is_katakana(word):
        return word.rstrip("ー")
    return word


@lru_cache(maxsize=65536)
def matching_key(word: str) -> str:
    """The form two spellings of one word share: normalised, katakana, no final long vowel."""
    katakana = unicodedata.normalize("NFKC", to_katakana(normalize_text(word)).replace(" ", ""))
    return fold_long_vowel(_DASH_AFTER_KATAKANA.sub("ー", katakana))


def remove_punctuation(text: str) -> str:
    """Remove ASCII and Japanese punctuation, symbols and whitespace."""
    return _PUNCTUATION.sub("", text)


# Sentence endings and fillers that carry no topic. Longest alternatives first, applied
# repeatedly from the end ("できますでしょうか" → "でき").
_ENDINGS = (
    "していただけないでしょうか",
    "していただけますでしょうか",
    "していただけますか",
    "してもらえますか",
    "していただけますか",
    "いただけないでしょうか",
    "いただけますでしょうか",
    "いただけますか",
    "もらえないでしょうか",
    "もらえますか",
    "くださいませ",
    "ないでしょうか",
    "でしょうか",
    "ますでしょうか",
    "でしたっけ",
    "ですかね",
    "ですよね",
    "ですけど",
    "ですが",
    "ですか",
    "ますか",
    "ません",
    "ました",
    "でした",
    "ください",
    "下さい",
    "ですね",
    "ですよ",
    "だっけ",
    "かしら",
    "っけ",
    "かな",
    "かね",
    "よね",
    "です",
    "ます",
    "けど",
    "だよ",
    "ね",
    "よ",
    "な",
    "わ",
    "か",
)
_LONGEST_ENDINGS_FIRST = tuple(sorted(_ENDINGS, key=len, reverse=True))
_FILLERS = re.compile(
    r"^(?:えーと|えーっと|えっと|あのー|あの|すみません|すいません|ちょっと|ところで|お疲れ様です|お疲れさまです|"
    r"お疲れさまでした|おつかれさまです|いつもお世話になっております|お世話になっております|お世話になります)[、,\s]*"
)


def strip_noise(text: str) -> str:
    """Remove leading fillers and polite/question endings: "えーと、解約方法を教えてください" → "解約方法を教えて".

    Works on hiragana spellings; run it after `normalize_text`. Never returns an empty string
    for a non-empty input that was nothing but noise: then the input is returned unchanged.
    """
    original = text
    text = text.strip()
    previous = None
    while previous != text:
        previous = text
        text = _FILLERS.sub("", text)
        text = remove_punctuation_tail(text)
        text = _remove_ending(text)
    return text if text else original.strip()


def _remove_ending(text: str) -> str:
    """Remove the longest of _ENDINGS the text ends with (at most one)."""
    if text.endswith(_LONGEST_ENDINGS_FIRST):
        for ending in _LONGEST_ENDINGS_FIRST:
            if text.endswith(ending):
                return text[: -len(ending)]
    return text


def remove_punctuation_tail(text: str) -> str:
    """Remove punctuation and spaces at the end only ("解約方法は？！" → "解約方法は")."""
    return _PUNCTUATION_TAIL.sub("", text)


def compact(text: str) -> str:
    """A short fingerprint for whole-string comparison: normalised, noise and punctuation removed, katakana."""
    return to_katakana(remove_punctuation(strip_noise(normalize_text(text))))


# --- question detection ----------------------------------------------------------------------

_QUESTION_MARK = re.compile(r"[?？]")
_INTERROGATIVES = re.compile(
    r"どこ|いつ|どう|どの|どれ|どんな|どちら|どっち|どうやって|何|なに|なん|誰|だれ|なぜ|何故|なんで|いくら|幾ら|"
    r"いくつ|何人|何日|何時|何回|可能|可否|方法|やり方|手順|仕方"
)
_REQUEST = re.compile(
    r"教えて|おしえて|知りたい|しりたい|わかりますか|分かりますか|できますか|出来ますか|できる\b|できない|"
    r"できません|ありますか|ありません|したい|たいです|てほしい|て欲しい|ほしい|欲しい|お願いできますか|"
    r"もらえ|いただけ|ていい|ても(?:いい|良い)|べき|"
    r"方法|手順|仕方|やり方|対応して|困って|届かない|できなく|されない|られない|入れない|出ない|動かない"
)
_QUESTION_ENDING = re.compile(r"(?:か|かな|かね|の|っけ|だっけ|でしょう|ますか|ですか|は|って|わ)$")
_ENGLISH_QUESTION = re.compile(
    r"^(?:what|where|when|why|who|whom|which|how|is|are|can|could|do|does|did|will|would|should|may|"
    r"has|have)\b|\b(?:please|help|can't|cannot|not working|unable|doesn't|isn't|won't|how to|"
    r"is there|are there)\b"
)
# Greetings and chit-chat that end like questions but are not support questions.
_SMALL_TALK = re.compile(
    r"^(?:お疲れ(?:さま|様)|おつかれ|おはよう|こんにちは|こんばんは|ありがとう|よろしく|お世話に|了解|承知|"
    r"good (?:morning|afternoon|evening)|thanks|thank you|hello|hi\b)"
)


def looks_like_question(text: str) -> bool:
    """Heuristic: does the message ask something (rather than greet, thank or announce)?

    Used so that the bot neither offers suggestions nor logs an "unanswered" question for
    chit-chat such as お疲れさまです. Recognises question marks, interrogatives (どこ, いつ, 何 …),
    request forms (教えて, 知りたい, できますか …), question endings (か, の, っけ) and English
    wh-words. Errs towards True for short keyword queries that mention a problem.
    """
    normal = normalize_text(text)
    if not normal:
        return False
    body = remove_punctuation_tail(normal)
    if _SMALL_TALK.match(body) and not _QUESTION_MARK.search(normal) and not _REQUEST.search(body):
        return False
    if _QUESTION_MARK.search(normal):
        return True
    if _ENGLISH_QUESTION.search(body):
        return True
    if _INTERROGATIVES.search(body) or _REQUEST.search(body):
        return True
    return bool(_QUESTION_ENDING.search(body))
