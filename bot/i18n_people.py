"""Messages of the case loop between people (issue 9): assignment, the pages and their edits, the
escalation chain, what the reporter is told, on-call notices. Part of bot/i18n.py's catalogue."""

from __future__ import annotations

PEOPLE_MESSAGES: dict[str, dict[str, str]] = {
    # --- assignment (担当者) -----------------------------------------------------------------------
    "case.field.assignee": {"ja": "担当者", "en": "Assignee"},
    "case.button.take": {"ja": "担当する", "en": "Take it"},
    "case.event.assigned": {
        "ja": "👤 {actor} さんが担当者を {old} → {new} に変更しました。",
        "en": "👤 {actor} changed the assignee {old} → {new}.",
    },
    "case.event.taken": {
        "ja": "👤 {new} さんが担当します (前の担当者: {old})。",
        "en": "👤 {new} took this case over (from {old}).",
    },
    "case.history.assigned": {"ja": "担当者 {old} → {new}", "en": "assignee {old} → {new}"},
    "case.history.sla_escalated": {
        "ja": "応答がないため呼び出しを拡大: {new} {old}",
        "en": "nobody acknowledged: also paged {new} {old}",
    },
    "case.assigned": {
        "ja": "ケース #{number} の担当者を {user} さんにしました。",
        "en": "Case #{number} is now assigned to {user}.",
    },
    "case.taken": {"ja": "ケース #{number} はあなたの担当になりました。", "en": "Case #{number} is yours now."},
    "case.error.assignee": {
        "ja": "担当者を @メンションで指定してください (例: `/case assign 42 @sato`)。",
        "en": "Mention the new assignee (e.g. `/case assign 42 @sato`).",
    },
    "case.error.already_assigned": {
        "ja": "ケース #{number} の担当者はすでにその方です。",
        "en": "Case #{number} is already assigned to them.",
    },
    # --- mistakes in `/case` -------------------------------------------------------------------
    "case.error.unknown_command": {
        "ja": (
            "「{word}」は `/case` のコマンドではありません。\n"
            "使えるコマンド: `list` `show` `ack` `assign` `priority` `escalate` `resolve` `reopen` `help` "
            "(`/case help` で使い方)。件名から起票するときは `/case` でフォームを開いてください。"
        ),
        "en": (
            "“{word}” is not a `/case` command.\n"
            "Commands: `list` `show` `ack` `assign` `priority` `escalate` `resolve` `reopen` `help` "
            "(`/case help` for how). To open a case, use `/case` and fill in the form."
        ),
    },
    "case.error.level_missing": {
        "ja": "エスカレーション先を指定してください。指定できるのは L2 (CS Lead) と L3 (エンジニア) です。例: `/case escalate 42 L2 判断をお願いします`",
        "en": "Say where to escalate: L2 (CS Lead) or L3 (engineering). E.g. `/case escalate 42 L2 please decide`",
    },
    "case.error.priority_missing": {
        "ja": "新しい優先度 (高・中・低) と理由を指定してください。例: `/case priority 42 中 回避策を案内済み`",
        "en": "Give the new priority (high, medium, low) and a reason. E.g. `/case priority 42 medium workaround provided`",
    },
    # --- the description ------------------------------------------------------------------------
    "case.button.description": {"ja": "全文を表示", "en": "Show all"},
    "case.description.more": {
        "ja": "(全{length}文字のうち最初の部分です。「全文を表示」で続きを読めます)",
        "en": "(the first part of {length} characters; “Show all” shows the rest)",
    },
    "case.modal.description.title": {"ja": "ケース #{number} の詳細", "en": "Case #{number}"},
    "case.modal.close": {"ja": "閉じる", "en": "Close"},
    # --- the priorities' targets, from the target policy ----------------------------------------------
    "target.around_the_clock": {"ja": "24時間体制で{duration}", "en": "{duration}, around the clock"},
    "target.business": {"ja": "営業時間内で{duration}", "en": "{duration} of business hours"},
    # --- the pages, edited in place ------------------------------------------------------------------
    "page.status.repaged": {
        "ja": "🔁 再通知 {count}回目 · 起票から{elapsed} (期限を{late}超過)",
        "en": "🔁 Re-paged {count}× · {elapsed} since opened ({late} past due)",
    },
    "page.status.acknowledged": {
        "ja": "✅ 対応開始: {user} {when}{late}",
        "en": "✅ Acknowledged: {user} {when}{late}",
    },
    "page.status.resolved": {"ja": "🎉 解決済み {when}", "en": "🎉 Resolved {when}"},
    "page.status.self_resolved": {"ja": "🎉 起票者が自己解決 {when}", "en": "🎉 Resolved by the reporter {when}"},
    "chain.secondary": {"ja": "セカンダリ", "en": "the secondary"},
    "chain.cs_lead": {"ja": "CS Lead", "en": "the CS Lead"},
    "sla.chain": {
        "ja": "⬆️ {count}回呼び出しても応答がないため、{who} も呼び出します。",
        "en": "⬆️ Nobody acknowledged {count} pages: also paging {who}.",
    },
    "sla.chain.nobody.secondary": {
        "ja": "⬆️ {count}回呼び出しても応答がありませんが、セカンダリが設定されていないため呼び出せません ([oncall] secondary)。",
        "en": "⬆️ Nobody acknowledged {count} pages, and there is no secondary to page ([oncall] secondary).",
    },
    "sla.chain.nobody.cs_lead": {
        "ja": "⬆️ {count}回呼び出しても応答がありませんが、CS Lead が設定されていないため呼び出せません ([escalation] cs_lead)。",
        "en": "⬆️ Nobody acknowledged {count} pages, and there is no CS Lead to page ([escalation] cs_lead).",
    },
    "sla.chain_dm.secondary": {
        "ja": "⬆️ オンコール担当が{count}回の呼び出しに応答していません。セカンダリのあなたを呼び出しています。優先度「高」のケース #{number}: {title}",
        "en": "⬆️ The on-call person has not acknowledged {count} pages. You are the secondary: high-priority case #{number}: {title}",
    },
    "sla.chain_dm.cs_lead": {
        "ja": "⬆️ オンコール担当もセカンダリも{count}回の呼び出しに応答していません。CS Lead のあなたを呼び出しています。優先度「高」のケース #{number}: {title}",
        "en": "⬆️ Nobody on call has acknowledged {count} pages. You are the CS Lead: high-priority case #{number}: {title}",
    },
    # --- what the reporter is told ------------------------------------------------------------------
    "tell.opened": {"ja": "📝 ケース #{number} を起票しました。{link}", "en": "📝 Opened case #{number}. {link}"},
    "tell.acknowledged": {
        "ja": "👀 ケース #{number}「{title}」の対応を {who} さんが開始しました。",
        "en": "👀 {who} started working on case #{number} “{title}”.",
    },
    "tell.priority_changed": {
        "ja": "⚖️ ケース #{number} の優先度が {old} → {new} に変更されました。\n理由: {reason}",
        "en": "⚖️ Case #{number} changed priority {old} → {new}.\nReason: {reason}",
    },
    "tell.escalated": {
        "ja": "🔺 ケース #{number} を {level} に引き継ぎました。引き続き対応します。",
        "en": "🔺 Case #{number} was handed on to {level}. We're on it.",
    },
    "tell.resolved": {
        "ja": "🎉 ケース #{number} は {who} さんが解決済みにしました。解決していない場合は{days}日以内なら `/case reopen {number}` で再オープンできます。",
        "en": "🎉 {who} resolved case #{number}. If it is not solved, `/case reopen {number}` reopens it within {days} days.",
    },
    "tell.reopened": {
        "ja": "↩️ ケース #{number} を {who} さんが再オープンしました。",
        "en": "↩️ {who} reopened case #{number}.",
    },
    # --- on-call changes ---------------------------------------------------------------------------
    "oncall.notice.dm_set": {
        "ja": "📟 {by} さんがあなたを {until} までオンコール担当にしました。緊急の呼び出しはあなたに届きます。",
        "en": "📟 {by} put you on call until {until}. Urgent pages come to you.",
    },
    "oncall.notice.line_set": {
        "ja": "📟 オンコール担当: {who} ({until} まで、{by} さんが設定)",
        "en": "📟 On call: {who} (until {until}, set by {by})",
    },
    "oncall.notice.dm_clear": {
        "ja": "📟 オンコールの代理設定を {by} さんが解除しました。現在のオンコール担当はあなたです{until}。",
        "en": "📟 {by} cleared the on-call override. You are on call now{until}.",
    },
    "oncall.notice.nobody": {
        "ja": "なし (呼び出しは [oncall] fallback へ)",
        "en": "nobody (pages go to [oncall] fallback)",
    },
    "oncall.notice.line_clear": {
        "ja": "📟 {by} さんがオンコールの代理設定を解除しました。現在のオンコール担当: {who}",
        "en": "📟 {by} cleared the on-call override. On call now: {who}",
    },
}
