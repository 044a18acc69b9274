"""A customer's case told in their channel's thread: the customer-facing tone, no link to the card."""

from __future__ import annotations

from bot.case_vocabulary import EventKind
from bot.slack.reporter_notes import note
from tests.bot.slack.test_case_blocks import event, make_case

THREAD = {"origin_channel": "C0ACME", "origin_thread_ts": "1700000000.000100"}


def told(kind: str, **fields: object) -> str:
    case = make_case(**fields)
    return note(
        case, event(kind), "ja", lambda user: "佐藤", card_link="https://fake/archives/C0CASES/p1", reopen_days=14
    )


def test_a_customers_case_is_told_in_their_channel_in_the_customer_facing_tone() -> None:
    opened = told(EventKind.OPENED, customer_id="acme", **THREAD)
    assert opened == "📝 お問い合わせを受付番号 #42 として承りました。担当者より順次ご連絡いたします。"
    assert "C0CASES" not in opened  # no link to the team's card
    assert told(EventKind.ACKNOWLEDGED, customer_id="acme", **THREAD).startswith("👀 受付番号 #42「")
    assert told(EventKind.RESOLVED, customer_id="acme", **THREAD).startswith("🎉 受付番号 #42 は解決済みと")


def test_anyone_else_is_told_as_before() -> None:
    assert told(EventKind.OPENED, **THREAD).startswith("📝 ケース #42 を起票しました。")
    assert told(EventKind.OPENED, customer_id="acme").startswith("📝 ケース #42 を起票しました。")  # by DM
