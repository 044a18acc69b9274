"""Teaching the FAQ (bot/faq_teaching.py, bot/faq_drafts.py) on SQLite and PostgreSQL: confirmed
suggestions and the two-confirmers rule, links, drafts, removal, and replicas catching up."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import select

from bot.clock import ManualClock
from bot.database import Database
from bot.errors import UserFacingError
from bot.faq import AnswerFeedback
from bot.faq_drafts import NewDraft
from bot.faq_vocabulary import DraftStatus, PhrasingStatus
from bot.models import FaqConfirmation, FaqPhrasing
from bot.outbox_kinds import OutboxKind
from bot.services import Services
from tests.bot.test_cases import Recorder
from tests.teaching import (
    AGENT,
    AGENT2,
    COLLEAGUE,
    CUSTOMER,
    FORGOT,
    FORGOT_AGAIN,
    PARKING,
    RECEIPTS,
    entry_id,
    hr_knowledge,
    teaching_services,
)

FORGOT_ENTRY = "打刻忘れの修正方法は？"
CLOSING_ENTRY = "経費精算の締め日はいつですか？"


@pytest.fixture
def knowledge(tmp_path: Path) -> Path:
    return hr_knowledge(tmp_path / "kb")


@pytest.fixture
def sent() -> Recorder:
    return Recorder()


@pytest.fixture
def services(db: Database, clock: ManualClock, knowledge: Path, sent: Recorder) -> Services:
    return teaching_services(db, clock, knowledge, sent)


def decision(services: Services, question: str) -> tuple[str, str | None]:
    result = services.faq.search(question)
    return result.decision, result.best.entry.question if result.best else None


def ask_pick_and_solve(services: Services, question: str, ts: str, *, asker: str, clicker: str | None = None):
    """Someone asks the bot, gets もしかして, picks the first candidate and marks its answer 「解決しました」."""
    outcome = services.faq.handle_message(channel="C0FAQ", ts=ts, text=question, user=asker, direct=True)
    assert outcome.action == "suggested", outcome
    picked = outcome.result.suggestions[0].id
    services.faq.pick_suggestion(
        channel="C0FAQ", question_ts=ts, thread_ts=ts, entry_id=picked, user=asker, language="ja"
    )
    return services.teaching.suggestion_resolved(
        channel="C0FAQ", question_ts=ts, thread_ts=ts, entry_id=picked, user=clicker or asker, language="ja"
    )


def rows(db: Database, model: type) -> list:
    with db.transaction() as session:
        return list(session.exec(select(model)).all())


def test_the_questions_the_tests_rely_on(services: Services) -> None:
    assert decision(services, FORGOT) == ("suggest", FORGOT_ENTRY)
    assert decision(services, FORGOT_AGAIN) == ("suggest", FORGOT_ENTRY)
    assert decision(services, RECEIPTS)[0] == "none"
    assert decision(services, PARKING)[0] == "none"


# --- confirmed suggestions ---------------------------------------------------------------------------------


def test_a_confirmed_suggestion_is_a_candidate_until_an_agent_confirms_it(services: Services, sent: Recorder) -> None:
    taught = ask_pick_and_solve(services, FORGOT, "1763251200.000100", asker=CUSTOMER)
    assert taught is not None and taught.status == PhrasingStatus.CANDIDATE and taught.text == FORGOT
    assert decision(services, FORGOT)[0] == "suggest"  # a candidate is not searched
    note = next(s for s in sent.sent if s.kind == OutboxKind.FAQ_CANDIDATE)
    assert note.payload["thread_ts"] == "1763251200.000100" and note.payload["phrasing_id"] == taught.id

    with pytest.raises(UserFacingError) as refused:
        services.teaching.confirm(taught.id, CUSTOMER)  # only agents teach
    assert refused.value.key == "faq.teach.not_agent"
    assert decision(services, FORGOT)[0] == "suggest"

    confirmed = services.teaching.confirm(taught.id, AGENT)
    assert confirmed.status == PhrasingStatus.LEARNED
    assert decision(services, FORGOT) == ("answer", FORGOT_ENTRY)  # at once, without a restart
    with pytest.raises(UserFacingError):
        services.teaching.confirm(taught.id, AGENT)  # confirmed already


def test_an_agents_click_on_solved_is_the_confirmation(services: Services) -> None:
    taught = ask_pick_and_solve(services, FORGOT, "1763251200.000100", asker=AGENT)
    assert taught is not None and taught.status == PhrasingStatus.LEARNED
    assert decision(services, FORGOT) == ("answer", FORGOT_ENTRY)


def test_two_people_confirming_similar_questions_teach_it(db: Database, services: Services) -> None:
    first = ask_pick_and_solve(services, FORGOT, "1763251200.000100", asker=CUSTOMER)
    again = ask_pick_and_solve(services, FORGOT, "1763251200.000200", asker=CUSTOMER)  # the same person again
    assert first is not None and again is not None and again.status == PhrasingStatus.CANDIDATE
    second = ask_pick_and_solve(services, FORGOT_AGAIN, "1763251200.000300", asker=COLLEAGUE)
    assert second is not None and second.status == PhrasingStatus.LEARNED
    learned = {row.text: row.status for row in rows(db, FaqPhrasing)}
    assert learned == {FORGOT: PhrasingStatus.LEARNED, FORGOT_AGAIN: PhrasingStatus.LEARNED}
    assert {c.user_id for c in rows(db, FaqConfirmation)} == {CUSTOMER, COLLEAGUE}
    assert decision(services, FORGOT) == ("answer", FORGOT_ENTRY)


def test_solved_on_a_confident_answer_or_an_unknown_question_teaches_nothing(db: Database, services: Services) -> None:
    outcome = services.faq.handle_message(
        channel="C0FAQ", ts="1763251200.000100", text="有給の残日数を確認したい", user=CUSTOMER
    )
    assert outcome.action == "answered"
    answered = outcome.result.answer.id
    for ts in ("1763251200.000100", "1763251200.000999"):
        assert (
            services.teaching.suggestion_resolved(
                channel="C0FAQ", question_ts=ts, thread_ts=ts, entry_id=answered, user=AGENT, language="ja"
            )
            is None
        )
    assert rows(db, FaqPhrasing) == []


def test_solved_on_another_candidate_offered_under_an_answer_teaches_like_a_suggestion(
    db: Database, services: Services
) -> None:
    ts = "1763251200.000100"
    outcome = services.faq.handle_message(channel="C0FAQ", ts=ts, text="有給の残日数を確認したい", user=CUSTOMER)
    assert outcome.action == "answered"
    other = entry_id(services.index, FORGOT_ENTRY)  # picked from under the answer: the answer was not it
    taught = services.teaching.suggestion_resolved(
        channel="C0FAQ", question_ts=ts, thread_ts=ts, entry_id=other, user=AGENT, language="ja"
    )
    assert taught is not None and taught.status == PhrasingStatus.LEARNED and taught.entry_id == other
    assert [(row.entry_id, row.text) for row in rows(db, FaqPhrasing)] == [(other, "有給の残日数を確認したい")]


def test_a_removed_phrasing_is_not_brought_back_by_a_click(services: Services) -> None:
    taught = ask_pick_and_solve(services, FORGOT, "1763251200.000100", asker=AGENT)
    assert taught is not None
    services.teaching.remove(f"p{taught.id}", AGENT)
    assert decision(services, FORGOT)[0] == "suggest"
    assert ask_pick_and_solve(services, FORGOT, "1763251200.000200", asker=AGENT2) is None
    assert decision(services, FORGOT)[0] == "suggest"


# --- links ---------------------------------------------------------------------------------------------------


def test_a_linked_question_is_learned_at_once_and_leaves_the_gap_list(services: Services) -> None:
    services.faq.handle_message(channel="C0FAQ", ts="1763251200.000100", text=RECEIPTS + "はいつ？", user=CUSTOMER)
    assert [gap.text for gap in services.faq.gaps()] == [RECEIPTS + "はいつ？"]
    closing = entry_id(services.index, CLOSING_ENTRY)
    taught = services.teaching.link(entry_id=closing, text=RECEIPTS + "はいつ？", agent=AGENT, channel="C0FAQ")
    assert taught.status == PhrasingStatus.LEARNED
    assert decision(services, RECEIPTS) == ("answer", CLOSING_ENTRY)
    assert services.faq.gaps() == []


def test_only_agents_link_and_bad_input_changes_nothing(db: Database, services: Services) -> None:
    closing = entry_id(services.index, CLOSING_ENTRY)
    attempts = [
        ({"entry_id": closing, "text": RECEIPTS, "agent": CUSTOMER}, "faq.teach.not_agent"),
        ({"entry_id": closing, "text": "   ", "agent": AGENT}, "faq.teach.error.question"),
        ({"entry_id": closing, "text": "長" * 501, "agent": AGENT}, "faq.teach.error.too_long"),
        ({"entry_id": "", "text": RECEIPTS, "agent": AGENT}, "faq.teach.error.entry"),
        ({"entry_id": "hr-gone", "text": RECEIPTS, "agent": AGENT}, "faq.teach.error.unknown_entry"),
    ]
    for kwargs, key in attempts:
        with pytest.raises(UserFacingError) as refused:
            services.teaching.link(**kwargs)
        assert refused.value.key == key
    assert rows(db, FaqPhrasing) == [] and decision(services, RECEIPTS)[0] == "none"


def test_linking_a_wording_to_another_entry_moves_it(services: Services) -> None:
    closing, transport = (entry_id(services.index, q) for q in (CLOSING_ENTRY, "交通費はどうやって申請しますか？"))
    services.teaching.link(entry_id=transport, text=RECEIPTS, agent=AGENT)
    services.teaching.link(entry_id=closing, text=RECEIPTS, agent=AGENT2)
    assert services.index.learned(transport) == () and services.index.learned(closing) == (RECEIPTS,)
    assert decision(services, RECEIPTS) == ("answer", CLOSING_ENTRY)


# --- entries written in Slack --------------------------------------------------------------------------------

PARKING_DRAFT = NewDraft(
    question="社用車の駐車場を予約するには？",
    answer="総務ポータルの「駐車場予約」から、日付と車両を選んで予約してください。",
    category="総務",
    links="予約ガイド https://intra.example.com/parking",
    channel="C0FAQ",
    message_ts="1763251200.000200",
)


def test_a_draft_answers_only_once_an_agent_approves_it(services: Services, sent: Recorder) -> None:
    with pytest.raises(UserFacingError):
        services.teaching.drafts.save(PARKING_DRAFT, CUSTOMER)
    draft = services.teaching.drafts.save(PARKING_DRAFT, AGENT)
    review = next(s for s in sent.sent if s.kind == OutboxKind.FAQ_DRAFT)
    assert review.payload == {"channel": "C0CASES", "draft_id": draft.id, "language": "ja"}
    assert decision(services, PARKING)[0] == "none"  # a draft is not searched

    assert draft.id is not None
    with pytest.raises(UserFacingError):
        services.teaching.drafts.approve(draft.id, CUSTOMER)
    live = services.teaching.drafts.approve(draft.id, AGENT2)
    assert live.status == DraftStatus.LIVE and live.reviewed_by == AGENT2
    assert decision(services, PARKING) == ("answer", "社用車の駐車場を予約するには？")
    entry = services.index.get(live.entry_id)
    assert entry is not None and entry.category == "総務" and entry.links[0].url == "https://intra.example.com/parking"
    with pytest.raises(UserFacingError) as decided:
        services.teaching.drafts.discard(draft.id, AGENT)
    assert decided.value.key == "faq.teach.draft.decided"

    services.teaching.remove(f"e{draft.id}", AGENT)
    assert decision(services, PARKING)[0] == "none" and services.index.get(live.entry_id) is None


def test_a_draft_is_checked_field_by_field(services: Services) -> None:
    bad = NewDraft(question=CLOSING_ENTRY, answer="  ", links="予約ガイド intra.example.com")
    errors = services.teaching.drafts.check(bad)
    assert {field: error.key for field, error in errors.items()} == {
        "question": "faq.teach.error.exists",
        "answer": "faq.teach.error.answer",
        "links": "faq.teach.error.link_line",
    }
    assert services.teaching.drafts.check(PARKING_DRAFT) == {}


def test_a_discarded_draft_never_answers(services: Services) -> None:
    draft = services.teaching.drafts.save(PARKING_DRAFT, AGENT)
    assert draft.id is not None
    services.teaching.drafts.discard(draft.id, AGENT)
    assert decision(services, PARKING)[0] == "none"
    assert services.teaching.learned().drafts == []
    assert [d.status for d in services.teaching.learned(everything=True).drafts] == [DraftStatus.DISCARDED]


# --- replicas -----------------------------------------------------------------------------------------------------


def test_another_replica_picks_up_what_was_taught_without_a_restart(
    db: Database, clock: ManualClock, knowledge: Path, services: Services
) -> None:
    replica = teaching_services(db, clock, knowledge, Recorder())  # its own index, the same database
    closing = entry_id(services.index, CLOSING_ENTRY)
    services.teaching.link(entry_id=closing, text=RECEIPTS, agent=AGENT)
    draft = services.teaching.drafts.save(PARKING_DRAFT, AGENT)
    assert draft.id is not None
    services.teaching.drafts.approve(draft.id, AGENT)
    assert decision(replica, RECEIPTS)[0] == "none"  # not yet: the replica has not looked
    assert replica.knowledge.pull() == 2  # the scheduled job's work: the rows changed since it last looked
    assert decision(replica, RECEIPTS) == ("answer", CLOSING_ENTRY)
    assert decision(replica, PARKING)[0] == "answer"
    assert replica.knowledge.pull() == 0  # nothing new: one cheap read

    services.teaching.remove("p1", AGENT)
    replica.knowledge.pull()
    assert decision(replica, RECEIPTS)[0] == "none"


def test_a_replica_started_later_has_what_was_taught_from_its_first_question(
    db: Database, clock: ManualClock, knowledge: Path, services: Services
) -> None:
    services.teaching.link(entry_id=entry_id(services.index, CLOSING_ENTRY), text=RECEIPTS, agent=AGENT)
    later = teaching_services(db, clock, knowledge)
    assert decision(later, RECEIPTS) == ("answer", CLOSING_ENTRY)


# --- knowledge files changed on disk ----------------------------------------------------------------------------


def test_a_changed_file_is_reloaded_and_a_broken_one_keeps_its_last_good_entries(
    services: Services, knowledge: Path, caplog: pytest.LogCaptureFixture
) -> None:
    services.teaching.link(entry_id=entry_id(services.index, FORGOT_ENTRY), text=FORGOT, agent=AGENT)
    hr = knowledge / "hr.md"
    hr.write_text(
        hr.read_text(encoding="utf-8")
        + "\n### Q: 社用車の駐車場を予約するには？\n\n**A**: 総務ポータルから予約します。\n",
        encoding="utf-8",
    )
    services.knowledge.run()  # the scheduled job: a look at the files' times, a reload of the changed one
    assert decision(services, PARKING)[0] == "answer"
    assert decision(services, FORGOT) == ("answer", FORGOT_ENTRY)  # what was learned stays with its entry

    hr.write_text(hr.read_text(encoding="utf-8") + "\n### Q: 書きかけの質問\n", encoding="utf-8")
    services.knowledge.run()
    assert "hr.md:" in caplog.text and "no answer" in caplog.text
    assert decision(services, PARKING)[0] == "answer"  # the last good version still answers
    with pytest.raises(UserFacingError):
        services.teaching.reload(CUSTOMER)
    (result,) = services.teaching.reload(AGENT)
    assert not result.ok and result.errors[0].line > 0 and result.errors[0].source == "hr.md"


def test_none_of_these_is_counted_once_per_question(services: Services) -> None:
    for user in (CUSTOMER, CUSTOMER, COLLEAGUE):
        services.faq.record_miss(channel="C0FAQ", question_ts="1763251200.000100", user=user)
    services.faq.record_miss(channel="C0FAQ", question_ts="1763251200.000200", user=CUSTOMER)
    assert services.faq.misses() == 2


def test_the_answers_most_often_not_solved_come_first(services: Services) -> None:
    votes = [("a", "U1", False), ("b", "U1", False), ("b", "U2", False), ("b", "U3", True), ("c", "U1", True)]
    for n, (entry, user, helpful) in enumerate(votes):
        services.faq.record_feedback(channel="C0FAQ", message_ts=f"1.{n}", entry_id=entry, user=user, helpful=helpful)
    assert services.faq.most_unresolved() == [AnswerFeedback("b", 1, 2, 0), AnswerFeedback("a", 0, 1, 0)]


def test_an_answer_passed_over_for_a_candidate_under_it_counts_once_per_question(services: Services) -> None:
    answered = services.faq.handle_message(channel="C0FAQ", ts="1.1", text="有給の残日数を確認したい", user=CUSTOMER)
    assert answered.action == "answered"
    answer = answered.result.answer.id
    for other in (entry_id(services.index, FORGOT_ENTRY), entry_id(services.index, CLOSING_ENTRY), answer):
        services.faq.pick_suggestion(
            channel="C0FAQ", question_ts="1.1", thread_ts="1.1", entry_id=other, user=CUSTOMER, language="ja"
        )
    suggested = services.faq.handle_message(channel="C0FAQ", ts="1.2", text=FORGOT, user=CUSTOMER, direct=True)
    assert suggested.action == "suggested"  # a もしかして pick passes nothing over
    services.faq.pick_suggestion(
        channel="C0FAQ", question_ts="1.2", thread_ts="1.2", entry_id=suggested.result.suggestions[0].id,
        user=CUSTOMER, language="ja",
    )  # fmt: skip
    assert services.faq.passed_over() == {answer: 1}  # two others picked for one question: once
    assert services.faq.most_unresolved() == [AnswerFeedback(answer, 0, 0, 1)]


def test_two_people_confirming_at_the_same_moment_still_teach(services: Services) -> None:
    """Each confirmation reads the other's: the teaching lock makes them take turns (PostgreSQL's
    read committed would otherwise let each miss the other)."""
    import threading

    picks = []
    for ts, question, user in (("1763251200.000100", FORGOT, CUSTOMER), ("1763251200.000200", FORGOT_AGAIN, COLLEAGUE)):
        outcome = services.faq.handle_message(channel="C0FAQ", ts=ts, text=question, user=user, direct=True)
        picks.append((ts, outcome.result.suggestions[0].id, user))
    start = threading.Barrier(2)

    def confirm(ts: str, entry: str, user: str) -> None:
        start.wait()
        services.teaching.suggestion_resolved(
            channel="C0FAQ", question_ts=ts, thread_ts=ts, entry_id=entry, user=user, language="ja"
        )

    threads = [threading.Thread(target=confirm, args=pick) for pick in picks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert decision(services, FORGOT) == ("answer", FORGOT_ENTRY)
