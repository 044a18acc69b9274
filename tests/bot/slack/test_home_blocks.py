"""App Home's answers to fix (bot/slack/home_blocks.py): each with its 「解決しない」, the questions where
another candidate was picked instead, and its 「解決しました」, in Japanese and English, within Block Kit's limits."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from bot.home import FAQ_ITEMS, AgentHome, CasePage
from bot.i18n import Language
from bot.oncall import OnCall
from bot.reports.figures import EntryFeedback, ResponseFigures
from bot.slack.desk import Desk
from bot.slack.home_blocks import MAX_BLOCKS, home_view
from tests.harness import make_config

NOW = datetime(2026, 11, 13, 1, 30, tzinfo=UTC)
NOBODY = OnCall(primary=None, secondary=None, source="nobody", since=None, until=None)


def agent_home(unhelpful: list[EntryFeedback]) -> AgentHome:
    week = ResponseFigures(by_priority=[], late_median=None, breach_pages=0, re_pages=0, attainment_goal=0.95)
    return AgentHome(NOW, NOBODY, NOBODY, CasePage([], 0), CasePage([], 0), 0, week, [], unhelpful)


def answers_to_fix(view: dict[str, Any], heading: str) -> str:
    (text,) = [b["text"]["text"] for b in view["blocks"] if b["type"] == "section" and heading in b["text"]["text"]]
    return text


def test_answers_to_fix_show_the_answers_passed_over_next_to_the_votes() -> None:
    home = agent_home(
        [
            EntryFeedback("faq-csv", "CSVの文字コードは？", resolved=0, unresolved=0, passed_over=2),
            EntryFeedback("faq-gone", None, resolved=3, unresolved=1, passed_over=0),  # no longer in the files
        ]
    )
    desk = Desk.from_config(make_config())
    ja = answers_to_fix(home_view(home, desk), "「解決しない」やほかの候補が選ばれることが多い回答 (7日間)")
    assert "CSVの文字コードは？ — 解決しない 0 / ほかの候補が選ばれた 2 / 解決しました 0" in ja
    assert "faq-gone — 解決しない 1 / ほかの候補が選ばれた 0 / 解決しました 3" in ja
    en = answers_to_fix(home_view(home, replace(desk, language=Language.EN)), "or passed over (7 days)")
    assert "CSVの文字コードは？ — not solved 0 / passed over 2 / solved 0" in en


def test_answers_to_fix_stay_within_block_kit_limits_however_long_the_questions() -> None:
    long = [EntryFeedback(f"faq-{n}", "長い質問" * 500, 999, 999, 999) for n in range(FAQ_ITEMS)]
    view = home_view(agent_home(long), Desk.from_config(make_config()))
    text = answers_to_fix(view, "ほかの候補が選ばれることが多い回答")
    assert len(view["blocks"]) <= MAX_BLOCKS and len(text) <= 3000  # a section's text: 3,000 characters
    assert text.count("ほかの候補が選ばれた 999") == FAQ_ITEMS  # each line whole: the question is cut, not the counts
