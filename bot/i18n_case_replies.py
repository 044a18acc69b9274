"""Message catalogue: what the person who opened or changed a case is told, and the case forms' texts
(bot/i18n.py merges it into MESSAGES)."""

CASE_REPLY_MESSAGES: dict[str, dict[str, str]] = {
    # --- cases: replies to the person -------------------------------------------------------------
    "case.opened": {
        "ja": "ケース #{number} を起票しました (優先度: {priority})。初期対応の目標: {due} まで。",
        "en": "Opened case #{number} (priority {priority}). First response expected by {due}.",
    },
    "case.opened.outside_hours": {
        "ja": "営業時間外のため、初期対応の目標時間は翌営業日の営業開始から数えます。",
        "en": "We're outside business hours, so the target counts from the next business day's opening.",
    },
    "case.opened.high": {
        "ja": "優先度「高」のため、緊急チャンネルとオンコール担当者に通知しました。",
        "en": "As this is high priority, the emergency channel and the on-call engineer have been paged.",
    },
    "case.opened.high.fallback": {
        "ja": "優先度「高」のため緊急チャンネルに通知しました。オンコール担当者が設定されていないため、代わりに待機グループを呼び出しています。",
        "en": "As this is high priority, the emergency channel has been paged. Nobody is on call, so the fallback group was paged instead.",
    },
    "case.opened.high.nobody": {
        "ja": "優先度「高」のため緊急チャンネルに通知しました。ただし現在オンコール担当者がいないため、個別に呼び出された担当者はいません。",
        "en": "As this is high priority, the emergency channel has been notified. Nobody is on call right now, so no one was paged personally.",
    },
    "case.acknowledged": {
        "ja": "ケース #{number} の対応を開始しました。",
        "en": "You're now working on case #{number}.",
    },
    "case.priority_changed": {
        "ja": "ケース #{number} の優先度を {priority} に変更しました。初期対応期限: {due}",
        "en": "Case #{number} is now {priority}. First response due: {due}",
    },
    "case.escalated": {
        "ja": "ケース #{number} を {level} にエスカレーションしました。",
        "en": "Escalated case #{number} to {level}.",
    },
    "case.resolved": {"ja": "ケース #{number} を解決済みにしました。", "en": "Resolved case #{number}."},
    "case.self_resolved": {
        "ja": "ケース #{number} を自己解決として解決済みにしました。",
        "en": "Case #{number} is resolved (by you, the reporter).",
    },
    "case.reopened": {"ja": "ケース #{number} を再オープンしました。", "en": "Reopened case #{number}."},
    "case.list.header": {"ja": "ケース一覧 ({scope})", "en": "Cases ({scope})"},
    "case.list.empty": {"ja": "該当するケースはありません。", "en": "No cases match."},
    "case.list.more": {
        "ja": "ほかにもケースがあります (期限の近い{count}件を表示)。`/case show 番号` で個別に確認できます。",
        "en": "There are more cases (showing the {count} due soonest). Use `/case show <n>` for any case.",
    },
    "case.list.scope.open": {"ja": "対応中", "en": "open"},
    "case.list.scope.mine": {"ja": "自分の", "en": "mine"},
    "case.list.scope.all": {"ja": "すべて", "en": "all"},
    "case.show.history": {"ja": "履歴", "en": "History"},
    "case.history.opened": {"ja": "起票 (優先度 {new})", "en": "opened (priority {new})"},
    "case.history.acknowledged": {"ja": "対応開始", "en": "acknowledged"},
    "case.history.first_response": {"ja": "初回応答 (スレッド返信)", "en": "first response (thread reply)"},
    "case.history.priority_changed": {"ja": "優先度 {old} → {new}", "en": "priority {old} → {new}"},
    "case.history.escalated": {"ja": "エスカレーション {old} → {new}", "en": "escalated {old} → {new}"},
    "case.history.resolved": {"ja": "解決", "en": "resolved"},
    "case.history.self_resolved": {"ja": "自己解決", "en": "resolved by the reporter"},
    "case.history.reopened": {"ja": "再オープン", "en": "reopened"},
    "case.history.sla_warning": {"ja": "期限前の警告", "en": "due-time warning"},
    "case.history.sla_breach": {"ja": "初期対応期限超過の通知", "en": "breach notification"},
    "case.history.sla_breach.late": {
        "ja": "初期対応期限 ({due}) を{late}して初回応答",
        "en": "first response after the due time ({due}): {late}",
    },
    "case.usage": {
        "ja": (
            "*`/case` の使い方*\n"
            "• `/case` — 入力フォームを開いて起票\n"
            "• `/case 件名` — 件名を入れたフォームを開く (2行目以降は詳細)\n"
            "• `/case 高|中|低 件名` — すぐに起票 (high/medium/low、重大度A・sevA・sev-A・A: も可。B/C も同様)\n"
            "• `/case list [open|mine|all]` — 一覧 (mine: 自分が担当・起票したもの)、`/case list customer acme` — 顧客別\n"
            "• `/case show 42` — 詳細と履歴\n"
            "• `/case ack 42` — 対応開始 (自分が担当者になります)\n"
            "• `/case assign 42 @担当者` — 担当者の変更 (サポート担当者)\n"
            "• `/case priority 42 中 理由` — 優先度の変更 (理由は必須)\n"
            "• `/case customer 42 acme` — 顧客の変更 (サポート担当者、応答期限はその顧客のプランで再計算)\n"
            "• `/case escalate 42 L2|L3 [メモ]` — エスカレーション\n"
            "• `/case resolve 42 [メモ]` — 解決\n"
            "• `/case reopen 42 [理由]` — 再オープン (解決から{days}日以内)\n"
            "• `/case stats [7d|30d|this-month|2026-11]` — 対応状況の集計 (サポート担当者)\n"
            "例: `/case 高 全ユーザーがログインできない`"
        ),
        "en": (
            "*How to use `/case`*\n"
            "• `/case` — open the form\n"
            "• `/case <title>` — open the form with the title filled in (further lines: the description)\n"
            "• `/case high|medium|low <title>` — open a case now (高/中/低, sevA, sev-A, 重大度A, A: and B/C work too)\n"
            "• `/case list [open|mine|all]` (mine: assigned to or reported by you), `/case list customer acme`\n"
            "• `/case show 42` — details and history\n"
            "• `/case ack 42` — start working (you become the assignee)\n"
            "• `/case assign 42 @someone` — change the assignee (agents)\n"
            "• `/case priority 42 medium <reason>` — change priority (reason required)\n"
            "• `/case customer 42 acme` — change the customer (agents; the due time follows their plan)\n"
            "• `/case escalate 42 L2|L3 [note]`\n"
            "• `/case resolve 42 [note]`\n"
            "• `/case reopen 42 [reason]` — within {days} days of resolution\n"
            "• `/case stats [7d|30d|this-month|2026-11]` — how support is doing (agents)\n"
            "Example: `/case high Nobody can log in`"
        ),
    },
    "case.error.title_empty": {"ja": "件名を入力してください。", "en": "Please enter a title."},
    "case.error.title_too_long": {
        "ja": "件名は{limit}文字以内にしてください (現在{length}文字)。詳細は本文に書いてください。",
        "en": "Please keep the title within {limit} characters (it has {length}); put details in the description.",
    },
    "case.error.priority": {
        "ja": "優先度「{word}」が分かりません。高・中・低 (high/medium/low、重大度A/B/C) のいずれかを指定してください。",
        "en": "Unknown priority “{word}”. Use high, medium or low (高/中/低, sevA/sevB/sevC).",
    },
    "case.error.category": {"ja": "カテゴリの指定が正しくありません。", "en": "That category is not valid."},
    "case.error.not_found": {"ja": "ケース #{number} は見つかりませんでした。", "en": "Case #{number} was not found."},
    "case.error.number": {
        "ja": "ケース番号を指定してください (例: `42` または `#42`)。",
        "en": "Please give a case number (e.g. `42` or `#42`).",
    },
    "case.error.not_agent": {
        "ja": "申し訳ありません。この操作はサポート担当者のみ行えます。",
        "en": "Sorry, only support agents can do that.",
    },
    "case.error.not_allowed": {
        "ja": "申し訳ありません。ケース #{number} のこの操作は、サポート担当者とこのケースで呼び出された方 (オンコール担当・CS Lead・エンジニア) のみ行えます。",
        "en": "Sorry, only support agents and the people paged or escalated to for case #{number} can do that.",
    },
    "case.error.not_reporter": {
        "ja": "ケース #{number} を再オープンできるのは、起票者とサポート担当者、このケースで呼び出された方のみです。",
        "en": "Only the reporter, a support agent or someone paged for case #{number} can reopen it.",
    },
    "case.error.reason_required": {
        "ja": "優先度を変更する理由を書いてください (例: `/case priority 42 中 回避策を案内済み`)。",
        "en": "Please give a reason (e.g. `/case priority 42 medium workaround provided`).",
    },
    "case.error.same_priority": {
        "ja": "ケース #{number} はすでにその優先度です。",
        "en": "Case #{number} already has that priority.",
    },
    "case.error.level": {
        "ja": "エスカレーション先「{word}」が分かりません。L2 (CS Lead) か L3 (エンジニア) を指定してください。",
        "en": "Unknown level “{word}”. Use L2 (CS Lead) or L3 (engineering).",
    },
    "case.error.already_at_level": {
        "ja": "ケース #{number} はすでに L{level} です。",
        "en": "Case #{number} is already at L{level}.",
    },
    "case.error.already_resolved": {
        "ja": "ケース #{number} は解決済みです。",
        "en": "Case #{number} is already resolved.",
    },
    "case.error.already_acknowledged": {
        "ja": "ケース #{number} はすでに {user} さんが {at} から対応しています。",
        "en": "{user} has been working on case #{number} since {at}.",
    },
    "case.error.not_resolved": {
        "ja": "ケース #{number} は解決済みではないため、再オープンできません。",
        "en": "Case #{number} is not resolved, so it cannot be reopened.",
    },
    "case.error.reopen_window": {
        "ja": "ケース #{number} は解決から{days}日を過ぎているため再オープンできません。新しいケースを起票してください (元のケースにリンクします)。",
        "en": "Case #{number} was resolved more than {days} days ago and can't be reopened. Please open a new case (it will link to the old one).",
    },
    "case.modal.title": {"ja": "ケースを起票", "en": "Open a case"},
    "case.modal.submit": {"ja": "起票", "en": "Open"},
    "case.modal.cancel": {"ja": "キャンセル", "en": "Cancel"},
    "case.modal.placeholder.title": {"ja": "例: 全ユーザーがログインできない", "en": "e.g. Nobody can log in"},
    "case.modal.escalate.title": {"ja": "エスカレーション", "en": "Escalate"},
    "case.modal.escalate.level": {"ja": "エスカレーション先", "en": "Escalate to"},
    "case.modal.note": {"ja": "メモ", "en": "Note"},
    "case.modal.resolve.title": {"ja": "ケースを解決", "en": "Resolve case"},
    "case.modal.resolve.submit": {"ja": "解決", "en": "Resolve"},
    "case.modal.escalate.submit": {"ja": "エスカレーション", "en": "Escalate"},
    "case.from_faq.description": {
        "ja": "FAQの回答では解決しませんでした。\n質問: {question}",
        "en": "The FAQ answer did not solve this.\nQuestion: {question}",
    },
}
