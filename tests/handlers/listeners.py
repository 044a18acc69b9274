"""What direct-call listener tests share: mocked Bolt arguments and a context with mocked services.

As in the bolt-python starter template, a listener is called as a plain function: `ack`, `respond`
and `client` are mocks, and the services it reads from the context are mocks with the real APIs.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from unittest.mock import Mock

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient

from bot.case_answers import ReplyTo, reply_to
from bot.case_vocabulary import EventKind
from bot.cases import CaseChange, CaseService
from bot.clock import ManualClock
from bot.events import EventLog
from bot.faq import FaqService
from bot.faq_drafts import FaqDrafts
from bot.faq_teaching import FaqTeaching
from bot.intake import Intake
from bot.models import Case, CaseEvent
from bot.oncall import OncallService
from bot.slack.desk import Desk
from knowledge.search import KnowledgeIndex
from tests.bot.slack.test_case_blocks import make_case
from tests.harness import make_config

NOW = datetime(2026, 11, 16, 1, 30, tzinfo=UTC)  # Monday 10:30 in Tokyo
DESK = Desk.from_config(make_config())


def teaching(*, agents: tuple[str, ...] = ("U0AGENT",)) -> Mock:
    """The teaching service, mocked: `agents` are agents; drafts are a mock of their own."""
    mock = Mock(spec=FaqTeaching)
    mock.is_agent.side_effect = lambda user: user in agents
    mock.drafts = Mock(spec=FaqDrafts)
    return mock


def context(**overrides: Any) -> BoltContext:
    """A request's context as handlers/context.py fills it, every service a mock."""
    values: dict[str, Any] = {
        "cases": Mock(spec=CaseService),
        "faq": Mock(spec=FaqService),
        "teaching": teaching(),
        "knowledge": Mock(spec=KnowledgeIndex),
        "oncall": Mock(spec=OncallService),
        "events": Mock(spec=EventLog),
        "intake": Mock(spec=Intake),
        "clock": ManualClock(NOW),
        "desk": DESK,
        "bot_user_id": "U0BOT",
    }
    values.update(overrides)
    return BoltContext(values)


def ack() -> Mock:
    return Mock(spec=Ack)


def respond() -> Mock:
    return Mock(spec=Respond)


def client() -> Mock:
    fake = Mock(spec=WebClient)
    fake.chat_getPermalink.return_value = {"permalink": "https://fake.slack.com/archives/C0FAQ/p1"}
    return fake


def a_case(**fields: Any) -> Case:
    return make_case(**{"title": "ログインできない", **fields})


def change(kind: EventKind = EventKind.ACKNOWLEDGED, **fields: Any) -> CaseChange:
    case = a_case(**fields)
    event = CaseEvent(id=1, case_id=7, kind=kind, actor_id="U0AGENT", at=NOW)
    return CaseChange(case, event)


def said(mock: Mock) -> str:
    """The text of the one call to `ack` or `respond`."""
    (call,) = mock.call_args_list
    return str(call.kwargs.get("text", ""))


def answered_to(method: Mock, result: Any = None) -> list[ReplyTo | None]:
    """Where the answer to each call of a mocked change would go (bot/case_answers.py's reply_to)."""
    seen: list[ReplyTo | None] = []

    def record(*args: Any, **kwargs: Any) -> Any:
        seen.append(reply_to())
        return result if result is not None else change()

    method.side_effect = record
    return seen
