"""Messages of the reporting surfaces in Slack (issue 12): `/case stats`, App Home, the weekly digest.
Part of bot/i18n.py's catalogue; the figures' own labels are bot/reports/text.py's."""

from __future__ import annotations

REPORT_MESSAGES: dict[str, dict[str, str]] = {
    # --- /case stats ----------------------------------------------------------------------------
    "stats.agents_only": {
        "ja": "`/case stats` はサポート担当者向けの機能です。ご自身のケースは `/case list mine` でご覧いただけます。",
        "en": "`/case stats` is for support agents. You can see your own cases with `/case list mine`.",
    },
    "stats.bad_period": {
        "ja": "期間「{word}」は使えません。`/case stats 7d`・`30d`・`this-month`・`2026-11` のように指定してください。",
        "en": "I can't use the period “{word}”. Try `/case stats 7d`, `30d`, `this-month` or `2026-11`.",
    },
    "stats.footer": {
        "ja": "期間: `7d` (既定)・`30d`・`this-month`・`YYYY-MM`。CSV は `supportbot report cases`。",
        "en": "Periods: `7d` (default), `30d`, `this-month`, `YYYY-MM`. CSV: `supportbot report cases`.",
    },
    # --- App Home -------------------------------------------------------------------------------
    "home.title": {"ja": "サポートの状況", "en": "How support is doing"},
    "home.updated": {"ja": "{when} 更新", "en": "updated {when}"},
    "home.oncall": {"ja": "*当番* 今: {now}  /  次: {next}", "en": "*On call* now: {now}  /  next: {next}"},
    "home.oncall.nobody": {"ja": "なし", "en": "nobody"},
    "home.oncall.until": {"ja": "{who} ({until} まで)", "en": "{who} (until {until})"},
    "home.mine": {"ja": "*自分の担当 ({count}件)*", "en": "*Assigned to me ({count})*"},
    "home.queue": {"ja": "*未割り当て ({count}件、期限順)*", "en": "*Unassigned ({count}, by due time)*"},
    "home.none": {"ja": "なし", "en": "none"},
    "home.breaches_today": {"ja": "*今日の超過* {count}件", "en": "*Breaches today* {count}"},
    "home.attainment": {"ja": "*今週の目標達成率* (目標 {goal})", "en": "*This week's attainment* (goal {goal})"},
    "home.attainment_line": {
        "ja": "{priority}: {attainment} (達成 {met} / 超過 {breached} / 対応待ち {pending})",
        "en": "{priority}: {attainment} (met {met} / breached {breached} / pending {pending})",
    },
    "home.gaps": {"ja": "*よくある未回答の質問 (7日間)*", "en": "*Most frequent unanswered questions (7 days)*"},
    "home.gap": {"ja": "{text} ({count}回)", "en": "{text} ({count}x)"},
    "home.unhelpful": {
        "ja": "*「解決しない」やほかの候補が選ばれることが多い回答 (7日間)*",
        "en": "*Answers most often marked 「解決しない」 or passed over (7 days)*",
    },
    "home.unhelpful_line": {
        "ja": "{question} — 解決しない {no} / ほかの候補が選ばれた {passed} / 解決しました {yes}",
        "en": "{question} — not solved {no} / passed over {passed} / solved {yes}",
    },
    "home.more": {"ja": "次の{count}件", "en": "Next {count}"},
    "home.previous": {"ja": "前へ", "en": "Previous"},
    "home.page": {"ja": "{first}〜{last}件目 / {total}件", "en": "{first}–{last} of {total}"},
    "home.my_open": {"ja": "*あなたのケース ({count}件)*", "en": "*Your cases ({count})*"},
    "home.how_to_ask": {
        "ja": "*困ったときは*\n• FAQ チャンネルやこのボットへの DM で質問すると、FAQ から回答します。\n"
        "• `/case` でケースを起票できます (例: `/case 高 ログインできない`)。\n"
        "• `/case list mine` で自分のケースを確認できます。",
        "en": "*Need help?*\n• Ask in the FAQ channel or DM this bot: it answers from the FAQ.\n"
        "• Open a case with `/case` (e.g. `/case high Nobody can log in`).\n"
        "• See your cases with `/case list mine`.",
    },
    # --- the weekly digest ----------------------------------------------------------------------
    "digest.intro": {"ja": "📊 週次サポートレポート", "en": "📊 Weekly support report"},
    "digest.chart_title": {"ja": "サポートレポート {since}〜{until}", "en": "Support report {since} to {until}"},
}
