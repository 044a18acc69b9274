"""Messages about customers and their plans (issue 11): the case's customer and plan, the customer
picker, customer channels' tone and audiences. Part of bot/i18n.py's catalogue."""

from __future__ import annotations

CUSTOMER_MESSAGES: dict[str, dict[str, str]] = {
    # --- a case's customer and plan ---------------------------------------------------------------
    "case.field.plan": {"ja": "プラン", "en": "Plan"},
    "case.customer.value": {"ja": "{name} ({id}) · {plan}", "en": "{name} ({id}) · {plan}"},
    "case.show.target": {"ja": "応答目標: {target}", "en": "Response target: {target}"},
    "case.event.customer_changed": {
        "ja": "🏢 {actor} さんが顧客を {old} → {new} に変更しました。新しい応答期限: {due}",
        "en": "🏢 {actor} changed the customer {old} → {new}. New response due: {due}",
    },
    "case.history.customer_changed": {"ja": "顧客 {old} → {new}", "en": "customer {old} → {new}"},
    "case.customer_changed": {
        "ja": "ケース #{number} の顧客を {customer} にしました ({target})。応答期限: {due}",
        "en": "Case #{number} is now {customer}'s ({target}). Response due: {due}",
    },
    "case.customer.none": {"ja": "なし", "en": "none"},
    "case.error.customer_unknown": {
        "ja": "顧客「{word}」は顧客ディレクトリにありません。`supportbot customers list` で ID を確認してください。",
        "en": "There is no customer “{word}” in the directory; `supportbot customers list` shows the IDs.",
    },
    "case.error.customer_missing": {
        "ja": "顧客 ID を指定してください (例: `/case customer 42 acme`)。",
        "en": "Which customer? For example `/case customer 42 acme`.",
    },
    "case.error.same_customer": {
        "ja": "ケース #{number} はすでにその顧客のケースです。",
        "en": "Case #{number} already belongs to that customer.",
    },
    "case.list.scope.customer": {"ja": "顧客 {customer} のケース", "en": "cases of customer {customer}"},
    # --- customer channels: the customer-facing tone (です・ます, お客様向け) ----------------------------
    "case.opened.customer": {
        "ja": "お問い合わせを受け付けました (受付番号 #{number}、優先度: {priority})。{due} までに担当者より初回のご連絡をいたします。",
        "en": "Thank you, we have received your request (#{number}, priority {priority}). "
        "We will get back to you by {due}.",
    },
    "case.opened.customer.outside_hours": {
        "ja": "ただいま営業時間外です。ご契約の応答目標 ({target}) に基づき、初回のご連絡は {due} までにいたします。",
        "en": "We are outside business hours now. Under your contract ({target}), "
        "our first response will come by {due}.",
    },
    "case.opened.customer.urgent": {
        "ja": "緊急のお問い合わせとして、担当チームに直ちに連絡しました。",
        "en": "As this is urgent, our team has been alerted right away.",
    },
    # --- what a customer who opened a case in their channel is told there --------------------------
    "tell.opened.customer": {
        "ja": "📝 お問い合わせを受付番号 #{number} として承りました。担当者より順次ご連絡いたします。",
        "en": "📝 We have received your request as #{number}; our team will be in touch.",
    },
    "tell.acknowledged.customer": {
        "ja": "👀 受付番号 #{number}「{title}」について、担当の {who} が対応を開始いたしました。",
        "en": "👀 {who} from our team has started working on #{number} “{title}”.",
    },
    "tell.escalated.customer": {
        "ja": "🔺 受付番号 #{number} は専門の担当チームに引き継ぎ、引き続き対応いたします。",
        "en": "🔺 #{number} has been handed to a specialist team, who will continue with it.",
    },
    "tell.resolved.customer": {
        "ja": "🎉 受付番号 #{number} は解決済みとさせていただきました。解決していない場合は、"
        "{days}日以内であれば `/case reopen {number}` で再開いただけます。",
        "en": "🎉 #{number} has been resolved. If it is not, `/case reopen {number}` reopens it within {days} days.",
    },
    # --- FAQ answers in customers' channels --------------------------------------------------------
    "faq.suggest.intro.customer": {
        "ja": "お問い合わせありがとうございます。次のご質問のいずれかに該当しますでしょうか？ 押していただくと回答を表示します。",
        "en": "Thank you for your question. Is it one of these? Choose one to see the answer.",
    },
    "faq.not_found.customer": {
        "ja": "お問い合わせありがとうございます。こちらで該当するご案内が見つかりませんでした。"
        "お手数ですが「ケースを起票」からお問い合わせください。担当者よりご連絡いたします。",
        "en": "Thank you for your question. We could not find an answer here; please open a case "
        "and our team will get back to you.",
    },
    # --- the case form's customer picker ---------------------------------------------------------
    "case.form.customer_pick": {"ja": "顧客 (契約)", "en": "Customer (contract)"},
    "case.form.customer_pick.placeholder": {"ja": "名前または ID で検索", "en": "Search by name or ID"},
    "case.form.customer_pick.hint": {
        "ja": "顧客のチャンネルで起票すると自動で設定されます。応答目標はこの顧客のプランで決まります。",
        "en": "Set by itself in a customer's channel. The response target follows this customer's plan.",
    },
}
