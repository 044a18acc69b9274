"""FAQ figures: questions and how they were handled, deflection, votes per entry, and gaps."""

from __future__ import annotations

from datetime import timedelta

from bot.reports import Reports
from bot.reports.history import History
from tests.bot.reports.conftest import Write, jst

M = timedelta(minutes=1)


def week(reports: Reports):  # type: ignore[no-untyped-def]
    return reports.period(since="2026-11-16", until="2026-11-22")


def test_questions_by_how_they_were_handled_chit_chat_left_out(
    history: History, write: Write, reports: Reports
) -> None:
    at = jst(11, 17, 11)
    for n in range(6):
        history.ask(at + n * M, "SSOは？", "answer", entry_id="faq-sso")
    for n in range(3):
        history.ask(at + n * M, "それっぽい質問", "suggest")
    history.ask(at, "見積書を発行してもらえますか？", "none")
    history.ask(at, "お疲れさまです", "none")  # said to the bot directly: recorded, but not a question
    history.ask(jst(11, 15, 23), "SSOは？", "answer", entry_id="faq-sso")  # the week before
    write(history)
    faq = reports.faq(week(reports))
    assert (faq.questions, faq.answered, faq.suggested, faq.silent, faq.chit_chat) == (10, 6, 3, 1, 1)
    shares = faq.to_json(None)
    assert (shares["answered_share"], shares["suggested_share"], shares["silent_share"]) == (0.6, 0.3, 0.1)


def test_deflection_is_an_answer_without_a_not_solved_vote_or_a_case_from_the_asker(
    history: History, write: Write, reports: Reports
) -> None:
    at = jst(11, 17, 11)
    history.ask(at, "SSOは？", "answer", entry_id="faq-sso", user="U0A")  # deflected
    helped = history.ask(at, "SSOは？", "answer", entry_id="faq-sso", user="U0B")
    history.vote(helped, at + M, helpful=True)  # deflected, and said so
    unhelpful = history.ask(at, "SSOは？", "answer", entry_id="faq-sso", user="U0C")
    history.vote(unhelpful, at + M, helpful=False, user="U0OTHER")  # anyone's 「解決しない」 counts
    history.ask(at, "SSOは？", "answer", entry_id="faq-sso", user="U0D")
    history.open(at + 3 * 60 * M, "low", reporter="U0D")  # the asker opened a case within a day
    history.ask(at, "SSOは？", "answer", entry_id="faq-sso", user="U0E")
    history.open(at + 25 * 60 * M, "low", reporter="U0E")  # a day later: another matter
    history.ask(at, "SSOは？", "answer", entry_id="faq-sso", user="U0F")
    history.open(at - M, "low", reporter="U0F")  # before the question: not a follow-up
    history.ask(at, "それっぽい質問", "suggest", user="U0G")  # not answered: never deflected
    write(history)
    faq = reports.faq(week(reports))
    assert (faq.answered, faq.deflected) == (6, 4)
    assert faq.deflection_rate == 4 / 7


def test_votes_per_entry_and_the_least_helpful_answers(history: History, write: Write, reports: Reports) -> None:
    at = jst(11, 17, 11)
    sso = [history.ask(at + n * M, "SSOは？", "answer", entry_id="faq-sso") for n in range(4)]
    for reply, helpful in zip(sso, (True, True, False, True), strict=True):
        history.vote(reply, at + 10 * M, helpful=helpful)
    cancel = [history.ask(at + n * M, "解約は？", "answer", entry_id="faq-cancel") for n in range(3)]
    for reply in cancel:
        history.vote(reply, at + 10 * M, helpful=False)
    changed = history.ask(at, "CSVは？", "answer", entry_id="faq-csv")
    history.vote(changed, at + M, helpful=False)
    history.vote(changed, at + 2 * M, helpful=True)  # changed their mind: the latest vote counts
    write(history)
    faq = reports.faq(week(reports))
    by_entry = {e.entry_id: (e.resolved, e.unresolved) for e in faq.feedback}
    assert by_entry == {"faq-sso": (3, 1), "faq-cancel": (0, 3), "faq-csv": (1, 0)}
    assert [e.entry_id for e in faq.most_unresolved] == ["faq-cancel", "faq-sso"]
    assert faq.most_unresolved[1].question == "SSOはどのIdPに対応していますか？"  # named from the knowledge base
    assert faq.most_unresolved[0].question is None  # an entry no longer in it


def test_gaps_are_the_most_frequent_unanswered_questions_of_the_period(
    history: History, write: Write, reports: Reports
) -> None:
    at = jst(11, 17, 11)
    for text in ("見積書を発行してもらえますか？", "見積書を発行してもらえますか", "見積書を 発行してもらえますか？"):
        history.ask(at, text, "none")
    history.ask(at + M, "オンプレミス版は提供していますか？", "none")
    for _ in range(5):
        history.ask(at, "お疲れさまです", "none")  # frequent, but chit-chat
    history.ask(jst(11, 10, 11), "スマホアプリはありますか？", "none")  # the week before
    write(history)
    gaps = reports.faq(week(reports)).gaps
    assert [(g.text, g.count) for g in gaps] == [
        ("見積書を 発行してもらえますか？", 3),
        ("オンプレミス版は提供していますか？", 1),
    ]
    assert gaps[1].last_asked == at + M


def test_an_answer_passed_over_for_another_candidate_ranks_with_the_not_solved_ones(
    history: History, write: Write, reports: Reports
) -> None:
    at = jst(11, 17, 11)
    history.vote(history.ask(at, "SSOは？", "answer", entry_id="faq-sso"), at + M, helpful=False)
    for n in range(2):
        csv = history.ask(at + n * M, "CSVの文字コードは？", "answer", entry_id="faq-csv")
        history.pick(csv, at + 5 * M, "faq-export")  # the asker picked a candidate offered under the answer
        history.pick(csv, at + 6 * M, "faq-sso")  # and another: the question counts once
    history.pick(history.ask(at, "それっぽい質問", "suggest"), at + M, "faq-sso")  # もしかして: nothing passed over
    before = history.ask(jst(11, 15, 20), "CSVの文字コードは？", "answer", entry_id="faq-csv")
    history.pick(before, jst(11, 15, 21), "faq-export")  # picked the week before
    write(history)
    faq = reports.faq(week(reports))
    ranked = [(e.entry_id, e.unresolved, e.passed_over) for e in faq.most_unresolved]
    assert ranked == [("faq-csv", 0, 2), ("faq-sso", 1, 0)]  # never marked 「解決しない」, yet the first to fix
    assert faq.to_json(None)["most_unresolved"][0] == {
        "entry_id": "faq-csv",
        "question": None,
        "resolved": 0,
        "unresolved": 0,
        "passed_over": 2,
    }
    assert {e.entry_id: e.passed_over for e in faq.feedback} == {"faq-csv": 2, "faq-sso": 0}
    _gaps, to_fix = reports.faq_to_fix(week(reports))  # App Home's answers to fix: the same ranking
    assert to_fix == faq.most_unresolved
