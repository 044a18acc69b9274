"""The everyday vocabulary (`knowledge/vocabulary/everyday.tsv`): what customers say for the terms a support
team writes, and the look-alikes that must not be read as one of its concepts."""

from __future__ import annotations

from collections.abc import Callable

import pytest

Concepts = Callable[[str], set[str]]  # the `concepts_of` fixture (conftest.py)


@pytest.mark.parametrize(
    ("question", "concept"),
    [
        ("お店で受け取れますか", "#店舗"),
        ("結果が悪かったらお医者さんに相談できる？", "#医師"),
        ("近くの病院を紹介してもらえますか", "#医療機関"),
        ("前の日にお酒を飲んでも大丈夫？", "#飲酒"),
        ("いつもの飲み薬はやめたほうがいい？", "#薬"),
        ("引っ越したので登録を直したい", "#転居"),
        ("引っ越しても使える？", "#住所"),  # moving house is a change of address
        ("結婚して名字が変わりました", "#改姓"),
        ("結婚して名字が変わりました", "#氏名"),
        ("払い忘れていた分はどうなりますか", "#未払イ"),
        ("解約金はかかりますか", "#違約金"),
        ("PayPayで払えますか", "#支払イ方法"),
        ("Suicaは使えますか", "#支払イ方法"),
        ("コンビニで払いたい", "#支払イ"),
        ("何時まで開いていますか", "#営業時間"),
        ("土日は混んでいますか", "#混雑"),
        ("留守中に届いたらどうなる？", "#不在"),
        ("操作方法がわからない", "#使イ方"),
        ("年会費はいくら？", "#料金"),  # a membership fee is a price
        ("申込みの締め切りはいつ？", "#期限"),
    ],
)
def test_everyday_words_meet_their_concept(concepts_of: Concepts, question: str, concept: str) -> None:
    assert concept in concepts_of(question)


@pytest.mark.parametrize(
    ("question", "not_concept"),
    [
        ("オンラインショップで買った商品", "#店舗"),  # an online shop is not a store to visit
        ("親アカウントを作りたい", "#家族"),  # 親 is left out: a parent account
        ("ブラウザのキャッシュを消したい", "#現金"),
        ("店舗受け取りの商品をピックアップしたい", "#送迎"),  # collecting goods is not being collected
        ("メールを受信できない", "#受診"),  # a homophone, not a visit to the doctor
        ("宿題を見てもらえますか", "#受診"),  # Sudachi reads 診てもらう as 見る: it is left out
        ("パスワードを忘れた", "#未払イ"),  # only forgetting to pay is unpaid
        ("IDを忘れた", "#電子マネー"),  # iD (the card payment) is left out: it reads as an ID
    ],
)
def test_look_alike_words_stay_out_of_the_concept(concepts_of: Concepts, question: str, not_concept: str) -> None:
    assert not_concept not in concepts_of(question)
