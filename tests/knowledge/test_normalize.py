"""Text normalisation: the ways people type one word must end up as one key."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from knowledge.normalize import (
    _ENDINGS,
    _remove_ending,
    compact,
    fold_long_vowel,
    is_kana,
    is_katakana,
    looks_like_question,
    matching_key,
    normalize_text,
    remove_punctuation,
    remove_punctuation_tail,
    strip_noise,
    to_hiragana,
    to_katakana,
)

# Text that mixes the scripts and symbols support questions are written in.
japanese_text = st.text(
    alphabet=st.one_of(
        st.characters(min_codepoint=0x3040, max_codepoint=0x30FF),  # hiragana, katakana
        st.characters(min_codepoint=0xFF61, max_codepoint=0xFF9F),  # half-width katakana
        st.characters(min_codepoint=0xFF01, max_codepoint=0xFF5E),  # full-width ASCII
        st.characters(min_codepoint=0x4E00, max_codepoint=0x4FFF),  # some kanji
        st.sampled_from("-‐－―ー〜~？! 。、　\n\tABCabc123"),
    ),
    max_size=40,
)


class TestNormalizeText:
    def test_half_width_katakana_becomes_full_width(self) -> None:
        assert normalize_text("ﾕｰｻﾞｰ数") == "ユーザー数"
        assert normalize_text("招待ﾒｰﾙ") == "招待メール"

    def test_full_width_ascii_becomes_ascii_and_lower_case(self) -> None:
        assert normalize_text("ＡＰＩ　リクエスト") == "api リクエスト"
        assert normalize_text("ＴＲＩＡＬ") == "trial"

    @pytest.mark.parametrize(
        "written", ["パスワ－ド", "パスワ-ド", "パスワ‐ド", "パスワ−ド", "パスワ―ド", "パスワ〜ド"]
    )
    def test_dashes_inside_katakana_are_the_long_vowel(self, written: str) -> None:
        assert normalize_text(written) == "パスワード"

    def test_dashes_elsewhere_are_kept(self) -> None:
        assert normalize_text("2024-01-01") == "2024-01-01"
        assert normalize_text("e-mail") == "e-mail"

    def test_trailing_wave_dash_is_decoration(self) -> None:
        assert normalize_text("お疲れさまです〜") == "お疲れさまです"

    def test_scripts_are_kept_for_the_tokenizer(self) -> None:
        assert normalize_text("ぷらん プラン") == "ぷらん プラン"

    def test_whitespace_is_collapsed(self) -> None:
        assert normalize_text("  解約\n\t方法　は ") == "解約 方法 は"


class TestKana:
    def test_hiragana_and_katakana_convert_both_ways(self) -> None:
        assert to_katakana("ぷらん だうんぐれーど") == "プラン ダウングレード"
        assert to_hiragana("プラン ダウングレード") == "ぷらん だうんぐれーど"

    def test_other_characters_are_untouched(self) -> None:
        assert to_katakana("請求書をPDFで") == "請求書ヲPDFデ"

    def test_script_predicates(self) -> None:
        assert is_katakana("ユーザー") and not is_katakana("ゆーざー") and not is_katakana("")
        assert is_kana("ゆーザー") and not is_kana("ユーザー数")

    def test_final_long_vowel_is_folded_on_long_katakana_words_only(self) -> None:
        assert fold_long_vowel("ユーザー") == "ユーザ"
        assert fold_long_vowel("サーバー") == "サーバ"
        assert fold_long_vowel("エラー") == "エラー"  # short words keep it
        assert fold_long_vowel("ゆーざー") == "ゆーざー"  # hiragana is not folded here


class TestMatchingKey:
    @pytest.mark.parametrize("written", ["ユーザー", "ユーザ", "ﾕｰｻﾞｰ", "ゆーざー", "ユーザ－"])
    def test_spellings_of_user_share_a_key(self, written: str) -> None:
        assert matching_key(written) == matching_key("ユーザー")

    def test_latin_is_case_folded_and_spaces_removed(self) -> None:
        assert matching_key("Sign In") == matching_key("signin") == "signin"


class TestNoise:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("解約方法を教えてください", "解約方法を教えて"),
            ("延長は可能でしょうか？", "延長は可能"),
            ("管理画面から出せたっけ", "管理画面から出せた"),
            ("えーと、請求書ってどこですか", "請求書ってどこ"),
            ("お疲れさまです、バックアップは取れますか", "バックアップは取れ"),
            ("解約方法わ？", "解約方法"),
        ],
    )
    def test_polite_endings_and_fillers_are_removed(self, text: str, expected: str) -> None:
        assert strip_noise(normalize_text(text)) == expected

    def test_text_that_is_only_noise_is_kept(self) -> None:
        assert strip_noise("ですか") == "ですか"

    def test_compact_is_a_short_comparable_fingerprint(self) -> None:
        assert compact("解約方法は？") == compact("かいやく方法は")[:0] + compact("解約方法は")
        assert compact("ﾕｰｻﾞｰ数 上限!!") == "ユーザー数上限"

    def test_punctuation_is_removed(self) -> None:
        assert remove_punctuation("「予期せぬエラー」が、出る！(Error)") == "予期せぬエラーが出るError"


class TestLooksLikeQuestion:
    @pytest.mark.parametrize(
        "text",
        [
            "解約方法は？",
            "請求書はどこからダウンロードできますか",
            "パスワードの再設定方法を教えて",
            "トライアル延長できる？",
            "SSOって対応してる",
            "支払い方法を知りたい",
            "招待メールが届かない",
            "いくらかかる",
            "How do I cancel my subscription",
            "password reset?",
            "Is there an API rate limit",
        ],
    )
    def test_questions(self, text: str) -> None:
        assert looks_like_question(text)

    @pytest.mark.parametrize(
        "text",
        [
            "お疲れさまです〜",
            "おはようございます",
            "ありがとうございました！",
            "本日のリリースは完了しました。",
            "了解です",
            "Good morning everyone!",
            "thanks",
            "",
            "   ",
        ],
    )
    def test_chit_chat(self, text: str) -> None:
        assert not looks_like_question(text)


@settings(max_examples=200, deadline=None)
@given(japanese_text)
def test_normalize_text_is_idempotent(text: str) -> None:
    once = normalize_text(text)
    assert normalize_text(once) == once


@settings(max_examples=200, deadline=None)
@given(japanese_text)
def test_matching_key_is_idempotent(text: str) -> None:
    key = matching_key(text)
    assert matching_key(key) == key


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_normalisers_never_crash_and_return_strings(text: str) -> None:
    for function in (normalize_text, matching_key, compact, remove_punctuation, strip_noise, to_katakana):
        assert isinstance(function(text), str)
    assert isinstance(looks_like_question(text), bool)


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=st.characters(min_codepoint=0x3041, max_codepoint=0x3096), max_size=30))
def test_hiragana_survives_a_round_trip_through_katakana(text: str) -> None:
    assert to_hiragana(to_katakana(text)) == text


# The conversions run in C (translation tables, patterns); these pin them to their definitions.
any_kana_text = st.text(alphabet=st.characters(min_codepoint=0x3000, max_codepoint=0x30FF), max_size=30)


@settings(max_examples=300, deadline=None)
@given(st.one_of(any_kana_text, japanese_text))
def test_script_conversions_and_checks_follow_their_definition(text: str) -> None:
    assert to_katakana(text) == "".join(chr(ord(c) + 0x60) if "ぁ" <= c <= "ゖ" or c in "ゝゞ" else c for c in text)
    assert to_hiragana(text) == "".join(chr(ord(c) - 0x60) if "ァ" <= c <= "ヶ" or c in "ヽヾ" else c for c in text)
    assert is_katakana(text) == (bool(text) and all("ァ" <= c <= "ヺ" or c == "ー" for c in text))
    assert is_kana(text) == (bool(text) and all("ぁ" <= c <= "ゖ" or "ァ" <= c <= "ヺ" or c == "ー" for c in text))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("ですかねよなわまっけしょうくださいもらえ解約方法は "), max_size=20))
def test_only_the_longest_ending_is_removed_at_each_step(text: str) -> None:
    longest_first = sorted(_ENDINGS, key=len, reverse=True)
    ending = re.compile("(?:" + "|".join(re.escape(e) for e in longest_first) + ")$")
    text = remove_punctuation_tail(text)
    assert _remove_ending(text) == ending.sub("", text)
