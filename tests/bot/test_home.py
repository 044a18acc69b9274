"""What App Home shows (bot/home.py), without Slack: an agent's cases and queue by due time, a page at a
time; anyone else only their own open cases."""

from __future__ import annotations

from datetime import timedelta

from bot.cases import NewCase
from bot.clock import ManualClock
from bot.home import PAGE_SIZE, AgentHome, HomeService, MemberHome
from bot.runtime import Runtime

AGENT, CUSTOMER, OTHER = "U0AGENT", "U0CUSTOMER", "U0OTHER"


def home_of(runtime: Runtime) -> HomeService:
    s = runtime.services
    return HomeService(s.db, s.clock, s.agents, s.oncall, s.reports)


def test_an_agent_sees_their_cases_and_the_queue_by_due_time(runtime: Runtime, clock: ManualClock) -> None:
    cases = runtime.services.cases
    low = cases.open(NewCase(title="低い", priority="低"), reporter=CUSTOMER).case
    high = cases.open(NewCase(title="高い", priority="高"), reporter=CUSTOMER).case
    mine = cases.open(NewCase(title="自分の", priority="中"), reporter=CUSTOMER).case
    cases.assign(mine.number, AGENT, AGENT)
    done = cases.open(NewCase(title="解決済み", priority="中"), reporter=CUSTOMER).case
    cases.resolve(done.number, None, AGENT)
    clock.advance(timedelta(minutes=1))

    home = home_of(runtime).content(AGENT)
    assert isinstance(home, AgentHome)
    assert [c.number for c in home.mine.cases] == [mine.number] and home.mine.total == 1
    assert [c.number for c in home.queue.cases] == [high.number, low.number]  # by due time; resolved left out
    assert home.oncall_now.primary == "U0ONCALL1" and home.oncall_next.primary == "U0ONCALL2"
    assert [p.priority for p in home.this_week.by_priority] == ["high", "medium", "low"]


def test_someone_else_sees_only_their_open_cases_a_page_at_a_time(runtime: Runtime) -> None:
    cases = runtime.services.cases
    for n in range(PAGE_SIZE + 2):
        cases.open(NewCase(title=f"ケース{n}", priority="低"), reporter=CUSTOMER)
    cases.open(NewCase(title="他の人の", priority="低"), reporter=OTHER)

    first = home_of(runtime).content(CUSTOMER)
    assert isinstance(first, MemberHome)
    assert first.mine.total == PAGE_SIZE + 2 and len(first.mine.cases) == PAGE_SIZE and first.mine.has_next
    second = home_of(runtime).content(CUSTOMER, page=1)
    assert [c.title for c in second.mine.cases] == [f"ケース{PAGE_SIZE}", f"ケース{PAGE_SIZE + 1}"]
    assert not second.mine.has_next and second.mine.first == PAGE_SIZE
