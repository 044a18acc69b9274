"""The services vocabulary (`knowledge/vocabulary/services.tsv`): what customers of shops, schools, venues,
rentals and deliveries call things, and the words that must not be read as one of its concepts."""

from __future__ import annotations

from collections.abc import Callable

import pytest

Concepts = Callable[[str], set[str]]  # the `concepts_of` fixture (conftest.py)


@pytest.mark.parametrize(
    ("question", "concept"),
    [
        ("どこから申し込めばいいですか", "#予約"),  # a booking is what a customer of a venue applies for
        ("How do I book a seat?", "#予約"),
        ("道具を借りたい", "#レンタル"),
        ("子供も参加できますか", "#子ドモ"),
        ("小学生は何歳から？", "#年齢"),
        ("雨の日はどうなりますか", "#天候"),
        ("欠航のときの連絡方法", "#中止"),
        ("何を持参すればいいですか", "#持チ物"),
        ("財布を落としました", "#紛失"),
        ("定期便をお休みしたい", "#サブスクリプション"),  # 定期便 is a kind of subscription
        ("来月はスキップしたい", "#休止"),
        ("お弁当代を給料から引きたい", "#給与"),
        ("来週の献立はいつ出ますか", "#献立"),
    ],
)
def test_customers_words_meet_their_concept(concepts_of: Concepts, question: str, concept: str) -> None:
    assert concept in concepts_of(question)


@pytest.mark.parametrize(
    ("question", "not_concept"),
    [
        ("クレジットカードを持っていない", "#持チ物"),  # 持つ alone is not what to bring
        ("サブスクを止めたい", "#駐車場"),  # Sudachi reads 停める as 止める: only 車+停める is parking
        ("中止になったら連絡はありますか", "#キャンセル"),  # the business calls it off: not the customer's cancellation
        ("予約をキャンセルしたい", "#中止"),
        ("経験者向けのコースはありますか", "#初心者"),
        ("1年契約にしたい", "#年齢"),  # Sudachi normalises a lone 歳 to 年: 歳 is left out, 何歳 stays
        ("データは何年保存されますか", "#年齢"),
    ],
)
def test_look_alike_words_stay_out_of_the_concept(concepts_of: Concepts, question: str, not_concept: str) -> None:
    assert not_concept not in concepts_of(question)


@pytest.mark.parametrize(
    ("question", "not_concept"),
    [
        ("料金を知りたい", "#通知"),  # Sudachi reads 知らせる as 知る + せる: 知らせる is left out of 通知
        ("配達が遅れています", "#遅刻"),  # a late delivery is not a customer arriving late
        ("設定を元に戻したい", "#返却"),
    ],
)
def test_verbs_that_other_words_share_are_left_out(concepts_of: Concepts, question: str, not_concept: str) -> None:
    assert not_concept not in concepts_of(question)
