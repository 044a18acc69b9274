"""The figures as plain text (the CLI; the digest's message for people who do not open the chart).

Japanese by default, English on request; no Slack markup, so any surface can wrap it. `LABELS` is
the reports' own catalogue (the same shape as bot/i18n.py's, which holds what the bot says in Slack).
"""

from __future__ import annotations

from datetime import timedelta

from bot.durations import format_duration
from bot.reports.figures import BACKLOG_BUCKETS, PRIORITY_ORDER, CaseFigures, FaqFigures, Report, ResponseFigures

LABELS: dict[str, dict[str, str]] = {
    "title": {"ja": "サポートレポート {since} 〜 {until} ({zone})", "en": "Support report {since} to {until} ({zone})"},
    "as_of": {"ja": "{when} 時点", "en": "as of {when}"},
    "cases": {"ja": "■ ケース", "en": "■ Cases"},
    "opened": {"ja": "起票 {count}件 ({parts})", "en": "Opened {count} ({parts})"},
    "customers": {"ja": "顧客別: {parts}", "en": "By customer: {parts}"},
    "plans": {"ja": "プラン別: {parts}", "en": "By plan: {parts}"},
    "others": {"ja": "その他 {count}", "en": "others {count}"},
    "unknown": {"ja": "(未記入)", "en": "(none)"},
    "resolved": {
        "ja": "解決 {resolved}件 / 再オープン {reopened}件",
        "en": "Resolved {resolved} / reopened {reopened}",
    },
    "backlog": {"ja": "未解決 {count}件 ({parts})", "en": "Open {count} ({parts})"},
    "under_1_business_day": {"ja": "1営業日未満 {count}", "en": "< 1 business day {count}"},
    "1_to_3_business_days": {"ja": "1〜3営業日 {count}", "en": "1-3 business days {count}"},
    "over_3_business_days": {"ja": "3営業日超 {count}", "en": "> 3 business days {count}"},
    "response": {"ja": "■ 初回応答 (目標達成率の目標 {goal})", "en": "■ First response (attainment goal {goal})"},
    "response_line": {
        "ja": "{priority} (目標 {target}・{calendar}): 達成率 {attainment} (達成 {met} / 超過 {breached} / 対応待ち {pending})",
        "en": "{priority} (target {target}, {calendar}): attainment {attainment} (met {met} / breached {breached} / pending {pending})",
    },
    "plan_targets": {
        "ja": "  (目標は既定プラン {plan} のもの。各ケースは起票時のプランの目標で集計)",
        "en": "  (targets of the default plan, {plan}; each case counts against its own plan's target)",
    },
    "waits": {
        "ja": "    初回応答まで 中央値 {median} / 90%値 {p90} ({count}件)",
        "en": "    time to first response: median {median} / p90 {p90} ({count})",
    },
    "late": {"ja": "    超過の遅れ 中央値 {late}", "en": "    breaches late by {late} at the median"},
    "pages": {
        "ja": "超過 計{breached}件 (遅れの中央値 {late}) / 呼び出し {pages}回・再呼び出し {repages}回",
        "en": "Breaches {breached} (late by {late} at the median) / pages {pages}, re-pages {repages}",
    },
    "business": {"ja": "営業時間", "en": "business hours"},
    "24x7": {"ja": "24時間", "en": "24x7"},
    "faq": {"ja": "■ FAQ", "en": "■ FAQ"},
    "questions": {
        "ja": "質問 {count}件: 回答 {answered} / 候補提示 {suggested} / 回答なし {silent} (雑談 {chat}件を除く)",
        "en": "Questions {count}: answered {answered} / suggested {suggested} / silent {silent} ({chat} chit-chat left out)",
    },
    "deflection": {
        "ja": "自己解決 (deflection) {count}件 = 質問の {rate}",
        "en": "Deflected {count} = {rate} of the questions",
    },
    "unresolved": {
        "ja": "「解決しない」やほかの候補が選ばれることが多い回答:",
        "en": "Answers most often marked 「解決しない」 (not solved) or passed over for another candidate:",
    },
    "entry_votes": {
        "ja": "  ・{question} — 解決しない {no} / ほかの候補が選ばれた {passed} / 解決しました {yes}",
        "en": "  - {question} — not solved {no} / passed over {passed} / solved {yes}",
    },
    "gaps": {"ja": "よくある未回答の質問:", "en": "Most frequent unanswered questions:"},
    "gap": {"ja": "  ・{text} ({count}回)", "en": "  - {text} ({count}x)"},
    "none": {"ja": "  (なし)", "en": "  (none)"},
    "high": {"ja": "高", "en": "High"},
    "medium": {"ja": "中", "en": "Medium"},
    "low": {"ja": "低", "en": "Low"},
    # the chart (bot/reports/chart.py)
    "chart.opened_title": {
        "ja": "日別の起票数 (優先度別) と超過",
        "en": "Cases opened per day, by priority, and breaches",
    },
    "chart.opened_axis": {"ja": "件数", "en": "cases"},
    "chart.breaches": {"ja": "超過", "en": "breached"},
    "chart.attainment_title": {
        "ja": "初回応答の目標達成率 (点線: 目標 {goal})",
        "en": "First-response attainment (dashed: goal {goal})",
    },
    "chart.closed": {"ja": "休業日", "en": "closed"},
    "chart.no_data": {"ja": "対象なし", "en": "no cases"},
    "chart.alt": {
        "ja": "{since}〜{until}のサポート状況のグラフ。左: 日別の起票数 (優先度別の積み上げ棒)。"
        "起票 {opened}件 ({parts})、最多は {busiest}。超過 {breached}件{breach_days}。"
        "右: 初回応答の目標達成率 — {attainment} (目標 {goal})。",
        "en": "Support chart for {since} to {until}. Left: cases opened per day, stacked by priority: "
        "{opened} opened ({parts}), most on {busiest}; {breached} breached{breach_days}. "
        "Right: first-response attainment — {attainment} (goal {goal}).",
    },
    "chart.breach_days": {"ja": " ({days})", "en": " ({days})"},
}
DASH = "—"


def label(key: str, language: str, /, **values: object) -> str:
    """A report label in `language` (Japanese when unknown), placeholders filled."""
    entry = LABELS[key]
    template = entry.get(language) or entry["ja"]
    return template.format(**values) if values else template


def percent(value: float | None) -> str:
    return DASH if value is None else f"{value:.0%}"


def duration(value: timedelta | None, language: str) -> str:
    return DASH if value is None else format_duration(value, language)


def _case_lines(cases: CaseFigures, language: str) -> list[str]:
    parts = " / ".join(f"{label(p, language)} {cases.opened_by_priority.get(p, 0)}" for p in PRIORITY_ORDER)
    lines = [label("cases", language), "  " + label("opened", language, count=cases.opened, parts=parts)]
    if cases.opened_by_customer:
        customers = [f"{c.value or label('unknown', language)} {c.count}" for c in cases.opened_by_customer]
        if cases.opened_by_customer_others:
            customers.append(label("others", language, count=cases.opened_by_customer_others))
        lines.append("  " + label("customers", language, parts=", ".join(customers)))
    if any(c.value for c in cases.opened_by_plan):  # only once cases record their plan
        plans = [f"{c.value or label('unknown', language)} {c.count}" for c in cases.opened_by_plan]
        lines.append("  " + label("plans", language, parts=", ".join(plans)))
    lines.append("  " + label("resolved", language, resolved=cases.resolved, reopened=cases.reopened))
    ages = " / ".join(label(b, language, count=cases.backlog_by_age[b]) for b in BACKLOG_BUCKETS)
    lines.append("  " + label("backlog", language, count=cases.open_at_end, parts=ages))
    return lines


def _response_lines(response: ResponseFigures, language: str) -> list[str]:
    lines = [label("response", language, goal=percent(response.attainment_goal))]
    if response.default_plan is not None:
        lines.append(label("plan_targets", language, plan=response.default_plan))
    for p in response.by_priority:
        lines.append(
            "  "
            + label(
                "response_line",
                language,
                priority=label(p.priority, language),
                target=duration(p.target, language),
                calendar=label(p.calendar, language),
                attainment=percent(p.attainment),
                met=p.met,
                breached=p.breached,
                pending=p.pending,
            )
        )
        waits = label(
            "waits", language, median=duration(p.median, language), p90=duration(p.p90, language), count=p.answered
        )
        lines.append("  " + waits)
        if p.breached:
            lines.append("  " + label("late", language, late=duration(p.late_median, language)))
    lines.append(
        "  "
        + label(
            "pages",
            language,
            breached=response.breached,
            late=duration(response.late_median, language),
            pages=response.breach_pages,
            repages=response.re_pages,
        )
    )
    return lines


def _faq_lines(faq: FaqFigures, language: str) -> list[str]:
    def of(count: int) -> str:
        return f"{count} ({percent(count / faq.questions) if faq.questions else DASH})"

    lines = [
        label("faq", language),
        "  "
        + label(
            "questions",
            language,
            count=faq.questions,
            answered=of(faq.answered),
            suggested=of(faq.suggested),
            silent=of(faq.silent),
            chat=faq.chit_chat,
        ),
        "  " + label("deflection", language, count=faq.deflected, rate=percent(faq.deflection_rate)),
        "  " + label("unresolved", language),
    ]
    lines += [
        "  "
        + label(
            "entry_votes",
            language,
            question=e.question or e.entry_id,
            no=e.unresolved,
            passed=e.passed_over,
            yes=e.resolved,
        )
        for e in faq.most_unresolved
    ] or ["  " + label("none", language)]
    lines.append("  " + label("gaps", language))
    lines += ["  " + label("gap", language, text=g.text, count=g.count) for g in faq.gaps] or [
        "  " + label("none", language)
    ]
    return lines


def headline(report: Report, language: str) -> tuple[str, str]:
    """The report's title (period and zone) and when its figures were taken."""
    period = report.period
    title = label(
        "title",
        language,
        since=f"{period.first_day():%Y-%m-%d}",
        until=f"{period.last_day():%Y-%m-%d}",
        zone=period.timezone,
    )
    return title, label("as_of", language, when=f"{period.local(report.as_of):%Y-%m-%d %H:%M}")


def sections(report: Report, language: str) -> list[list[str]]:
    """The three parts of the report (cases, first response, FAQ), each its heading line and then its lines."""
    return [
        _case_lines(report.cases, language),
        _response_lines(report.first_response, language),
        _faq_lines(report.faq, language),
    ]


def render_text(report: Report, language: str = "ja") -> str:
    title, as_of = headline(report, language)
    lines = [f"{title}  {as_of}"]
    for part in sections(report, language):
        lines += ["", *part]
    return "\n".join(lines) + "\n"
