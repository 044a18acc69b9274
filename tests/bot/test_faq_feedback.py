"""Counting what askers made of the FAQ's answers (bot/faq_feedback.py), through the real service on
SQLite and PostgreSQL: votes per entry, answers passed over for a candidate offered under them, and
periods, half-open like the reports'."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from bot import faq_feedback
from bot.clock import ManualClock
from bot.database import Database
from bot.services import Services
from tests.bot.test_cases import Recorder
from tests.teaching import CUSTOMER, FORGOT, entry_id, hr_knowledge, teaching_services

LEAVE = "有給の残日数を確認したい"  # answered: 有給休暇の残日数はどこで見られますか？
FORGOT_ENTRY, CLOSING_ENTRY = "打刻忘れの修正方法は？", "経費精算の締め日はいつですか？"
HOUR = timedelta(hours=1)


@pytest.fixture
def services(db: Database, clock: ManualClock, tmp_path: Path) -> Services:
    return teaching_services(db, clock, hr_knowledge(tmp_path / "kb"), Recorder())


def answer(services: Services, ts: str) -> str:
    """The bot answers LEAVE asked at `ts`; the entry it answered with."""
    outcome = services.faq.handle_message(channel="C0FAQ", ts=ts, text=LEAVE, user=CUSTOMER)
    assert outcome.action == "answered" and outcome.result.answer is not None
    return outcome.result.answer.id


def pick(services: Services, ts: str, question: str) -> None:
    """The asker picks the entry of `question` among the candidates under the reply to `ts`."""
    chosen = entry_id(services.index, question)
    services.faq.pick_suggestion(
        channel="C0FAQ", question_ts=ts, thread_ts=ts, entry_id=chosen, user=CUSTOMER, language="ja"
    )


def passed_over(services: Services, since: datetime | None = None, end: datetime | None = None) -> dict[str, int]:
    with services.db.transaction() as session:
        return faq_feedback.passed_over(session, since, end)


def votes(services: Services, since: datetime | None = None, end: datetime | None = None) -> dict[str, tuple[int, int]]:
    with services.db.transaction() as session:
        return faq_feedback.votes(session, since, end)


def vote(services: Services, ts: str, entry: str, user: str, *, helpful: bool) -> None:
    services.faq.record_feedback(channel="C0FAQ", message_ts=ts, entry_id=entry, user=user, helpful=helpful)


def test_votes_per_entry_all_time_and_in_a_half_open_period(services: Services, clock: ManualClock) -> None:
    start = clock.now()
    vote(services, "1.1", "a", "U1", helpful=False)
    vote(services, "1.2", "b", "U1", helpful=True)
    clock.advance(HOUR)
    vote(services, "1.2", "b", "U2", helpful=False)
    clock.advance(HOUR)
    vote(services, "1.1", "a", "U3", helpful=True)  # at the period's end: the next period's
    assert votes(services) == {"a": (1, 1), "b": (1, 1)}
    assert votes(services, start, start + 2 * HOUR) == {"a": (0, 1), "b": (1, 1)}
    assert votes(services, start + HOUR, None) == {"a": (1, 0), "b": (0, 1)}
    assert votes(services, None, start) == {}


def test_a_question_with_two_other_candidates_picked_counts_once(services: Services) -> None:
    answered = answer(services, "1.1")
    pick(services, "1.1", FORGOT_ENTRY)
    pick(services, "1.1", CLOSING_ENTRY)
    assert passed_over(services) == {answered: 1}
    answer(services, "1.2")
    pick(services, "1.2", "有給休暇の残日数はどこで見られますか？")  # the answer's own entry: nothing passed over
    assert passed_over(services) == {answered: 1}


def test_a_pick_under_moshikashite_passes_nothing_over(services: Services) -> None:
    suggested = services.faq.handle_message(channel="C0FAQ", ts="1.1", text=FORGOT, user=CUSTOMER, direct=True)
    assert suggested.action == "suggested"  # the bot did not answer: a pick is the asker's choice, not a correction
    pick(services, "1.1", FORGOT_ENTRY)
    pick(services, "1.1", CLOSING_ENTRY)
    assert passed_over(services) == {}


def test_picks_count_in_the_period_they_were_made(services: Services, clock: ManualClock) -> None:
    start = clock.now()
    answered = answer(services, "1.1")
    answer(services, "1.2")
    clock.advance(HOUR)
    pick(services, "1.1", FORGOT_ENTRY)  # at start + 1h
    clock.advance(HOUR)
    pick(services, "1.2", FORGOT_ENTRY)  # at start + 2h
    assert passed_over(services, start, start + HOUR) == {}  # a pick at the end belongs to the next period
    assert passed_over(services, start + HOUR, start + 2 * HOUR) == {answered: 1}  # answered before it: still counts
    assert passed_over(services, start + HOUR, None) == {answered: 2}
    assert passed_over(services, None, start + 2 * HOUR) == {answered: 1}


def test_the_answers_to_fix_first_add_not_solved_and_passed_over() -> None:
    voted = {"a": (5, 1), "b": (0, 1), "c": (3, 0), "d": (9, 0)}
    passed = {"c": 2, "e": 1, "d": 0}
    # c: 2 bad signals; b, e and a: 1 each, the fewest 「解決しました」 first; d: none, left out
    assert faq_feedback.to_fix_first(voted, passed) == ["c", "b", "e", "a"]
