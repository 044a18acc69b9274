"""App Home (bot/home.py's content) as a Home tab view, within Slack's 100 blocks.

The queue's 「担当する」/「対応開始」 and the gaps' 「FAQに紐付け」 are the same buttons (action ids) as on
the case cards and in `/faq gaps`, so the same listeners handle them; only the page buttons are new.
"""

from __future__ import annotations

from typing import Any

from bot.home import AgentHome, CasePage, MemberHome
from bot.i18n import t
from bot.oncall import OnCall
from bot.reports.figures import PriorityResponse
from bot.reports.text import label, percent
from bot.slack import case_blocks
from bot.slack.blocks import Block, actions, button, context, section
from bot.slack.desk import Desk
from bot.slack.faq_teach_blocks import ACTION_LINK_GAP
from bot.slack.mrkdwn import escape_text, mention

ACTION_PAGE = "home_page"  # 「次の10件」/「前へ」 start with it; value: the page of "my cases" to show
ACTION_NEXT, ACTION_PREVIOUS = f"{ACTION_PAGE}_next", f"{ACTION_PAGE}_previous"  # unique within their block
MAX_BLOCKS = 100  # a Home tab's limit
DIVIDER: Block = {"type": "divider"}


def _oncall(on: OnCall, desk: Desk) -> str:
    if not on.primary:
        return t("home.oncall.nobody", desk.language)
    who = mention(on.primary)
    if on.until is None:
        return who
    return t("home.oncall.until", desk.language, who=who, until=desk.when(on.until))


def _cases(page: CasePage, home_now: Any, desk: Desk) -> list[Block]:
    return [section(case_blocks.case_line(case, home_now, desk.language, desk.timezone)) for case in page.cases]


def _pager(page: CasePage, language: str) -> list[Block]:
    if page.page == 0 and not page.has_next:
        return []
    buttons = []
    if page.page > 0:
        buttons.append(button(t("home.previous", language), ACTION_PREVIOUS, str(page.page - 1)))
    if page.has_next:
        count = min(page.total - page.first - len(page.cases), len(page.cases))
        buttons.append(button(t("home.more", language, count=count), ACTION_NEXT, str(page.page + 1)))
    last = page.first + len(page.cases)
    shown = t("home.page", language, first=page.first + 1, last=last, total=page.total)
    return [context(shown), actions("home_pages", buttons)]


def _queue(home: AgentHome, desk: Desk) -> list[Block]:
    language = desk.language
    blocks = [section(t("home.queue", language, count=home.queue.total))]
    if not home.queue.cases:
        return [*blocks, context(t("home.none", language))]
    for case in home.queue.cases:
        value = str(case.number)
        buttons = [button(t("case.button.take", language), case_blocks.ACTION_TAKE, value)]
        if case.first_response_at is None:
            buttons.append(button(t("case.button.ack", language), case_blocks.ACTION_ACK, value, style="primary"))
        blocks += [
            section(case_blocks.case_line(case, home.now, language, desk.timezone)),
            actions(f"home_queue_{case.number}", buttons),
        ]
    return blocks


def _attainment_line(p: PriorityResponse, language: str) -> str:
    return t(
        "home.attainment_line",
        language,
        priority=label(p.priority, language),
        attainment=percent(p.attainment),
        met=p.met,
        breached=p.breached,
        pending=p.pending,
    )


def _figures(home: AgentHome, language: str) -> list[Block]:
    week = home.this_week
    lines = [t("home.attainment", language, goal=percent(week.attainment_goal))]
    lines += [_attainment_line(p, language) for p in week.by_priority]
    return [section(t("home.breaches_today", language, count=home.breaches_today)), section("\n".join(lines))]


def _faq(home: AgentHome, language: str) -> list[Block]:
    blocks = [section(t("home.gaps", language))]
    for gap in home.gaps:
        text = t("home.gap", language, text=escape_text(gap.text, limit=300), count=gap.count)
        teach = button(t("faq.gaps.link_button", language), ACTION_LINK_GAP, gap.text[:1900])
        blocks.append({**section(text), "accessory": teach})
    if not home.gaps:
        blocks.append(context(t("home.none", language)))
    lines = [
        t(
            "home.unhelpful_line",
            language,
            question=escape_text(e.question or e.entry_id, limit=200),
            no=e.unresolved,
            passed=e.passed_over,
            yes=e.resolved,
        )
        for e in home.unhelpful
    ]
    blocks.append(section("\n".join([t("home.unhelpful", language), *(lines or [t("home.none", language)])])))
    return blocks


def _top(desk: Desk, now: Any, notice: str | None) -> list[Block]:
    blocks: list[Block] = [
        {"type": "header", "text": {"type": "plain_text", "text": t("home.title", desk.language)}},
        context(t("home.updated", desk.language, when=desk.when(now))),
    ]
    if notice:
        blocks.append(section(notice))
    return blocks


def agent_blocks(home: AgentHome, desk: Desk, notice: str | None = None) -> list[Block]:
    language = desk.language
    oncall = t("home.oncall", language, now=_oncall(home.oncall_now, desk), next=_oncall(home.oncall_next, desk))
    mine = [section(t("home.mine", language, count=home.mine.total)), *_cases(home.mine, home.now, desk)]
    if not home.mine.cases:
        mine.append(context(t("home.none", language)))
    return [
        *_top(desk, home.now, notice),
        section(oncall),
        DIVIDER,
        *mine,
        *_pager(home.mine, language),
        DIVIDER,
        *_queue(home, desk),
        DIVIDER,
        *_figures(home, language),
        DIVIDER,
        *_faq(home, language),
    ]


def member_blocks(home: MemberHome, desk: Desk, notice: str | None = None) -> list[Block]:
    language = desk.language
    mine = [section(t("home.my_open", language, count=home.mine.total)), *_cases(home.mine, home.now, desk)]
    if not home.mine.cases:
        mine.append(context(t("home.none", language)))
    return [
        *_top(desk, home.now, notice),
        *mine,
        *_pager(home.mine, language),
        DIVIDER,
        section(t("home.how_to_ask", language)),
    ]


def home_view(home: AgentHome | MemberHome, desk: Desk, notice: str | None = None) -> dict[str, Any]:
    """The Home tab; `notice`: what the person's last action there did (mrkdwn the bot wrote)."""
    blocks = agent_blocks(home, desk, notice) if isinstance(home, AgentHome) else member_blocks(home, desk, notice)
    return {"type": "home", "blocks": blocks[:MAX_BLOCKS]}
