"""Every sentence the bot says, in Japanese (the default) and English."""

from __future__ import annotations

import re
from enum import StrEnum

from bot.faq_messages import FAQ_MESSAGES
from bot.i18n_case_replies import CASE_REPLY_MESSAGES
from bot.i18n_customers import CUSTOMER_MESSAGES
from bot.i18n_intake import INTAKE_MESSAGES
from bot.i18n_people import PEOPLE_MESSAGES
from bot.i18n_reports import REPORT_MESSAGES
from knowledge.romaji import is_romaji_message


class Language(StrEnum):
    """The languages the bot speaks: Japanese (the default) and English."""

    JA = "ja"
    EN = "en"

    @classmethod
    def of(cls, value: str | None, default: Language) -> Language:
        """`value` when it names a language ("en"), else `default` (e.g. a block_id from an older message)."""
        return cls(value) if value in tuple(cls) else default


MESSAGES: dict[str, dict[str, str]] = {
    **FAQ_MESSAGES,
    **PEOPLE_MESSAGES,
    **REPORT_MESSAGES,
    **CUSTOMER_MESSAGES,
    **INTAKE_MESSAGES,
    **CASE_REPLY_MESSAGES,
    # --- cases: labels ---------------------------------------------------------------------
    "priority.high": {"ja": "高", "en": "High"},
    "priority.medium": {"ja": "中", "en": "Medium"},
    "priority.low": {"ja": "低", "en": "Low"},
    # {target}: the priority's first-response target, from the target policy (bot/slack/case_forms.py)
    "priority.help.high": {
        "ja": "業務継続に影響、データ喪失、セキュリティ (初期対応: {target})",
        "en": "Business stopped, data loss, security (first response: {target})",
    },
    "priority.help.medium": {
        "ja": "設定変更依頼、回避策がある問題 (初期対応: {target})",
        "en": "Configuration request, workaround available (first response: {target})",
    },
    "priority.help.low": {
        "ja": "操作方法の質問、要望 (初期対応: {target})",
        "en": "How-to question or request (first response: {target})",
    },
    "status.open": {"ja": "未対応", "en": "Open"},
    "status.acknowledged": {"ja": "対応中", "en": "In progress"},
    "status.escalated": {"ja": "エスカレーション中", "en": "Escalated"},
    "status.resolved": {"ja": "解決済み", "en": "Resolved"},
    "status.reopened": {"ja": "再オープン", "en": "Reopened"},
    "category.technical": {"ja": "技術", "en": "Technical"},
    "category.billing": {"ja": "請求・契約", "en": "Billing & contract"},
    "category.account": {"ja": "アカウント", "en": "Account"},
    "category.other": {"ja": "その他", "en": "Other"},
    "level.1": {"ja": "L1 CS担当", "en": "L1 CS agent"},
    "level.2": {"ja": "L2 CS Lead", "en": "L2 CS Lead"},
    "level.3": {"ja": "L3 エンジニア", "en": "L3 Engineering"},
    "case.field.priority": {"ja": "優先度", "en": "Priority"},
    "case.field.status": {"ja": "ステータス", "en": "Status"},
    "case.field.reporter": {"ja": "起票者", "en": "Reporter"},
    "case.field.customer": {"ja": "顧客/テナント", "en": "Customer/tenant"},
    "case.field.category": {"ja": "カテゴリ", "en": "Category"},
    "case.field.level": {"ja": "対応レベル", "en": "Level"},
    "case.field.due": {"ja": "初期対応期限", "en": "First response due"},
    "case.field.responded": {"ja": "初回応答", "en": "First response"},
    "case.field.resolved": {"ja": "解決", "en": "Resolved"},
    "case.field.description": {"ja": "詳細", "en": "Description"},
    "case.field.impact": {"ja": "影響範囲", "en": "Impact"},
    "case.field.steps": {"ja": "再現手順", "en": "Steps to reproduce"},
    "case.field.origin": {"ja": "元のメッセージ", "en": "Original message"},
    "case.field.related": {"ja": "関連ケース", "en": "Related case"},
    "case.field.title": {"ja": "件名", "en": "Title"},
    "case.button.ack": {"ja": "対応開始", "en": "Start working"},
    "case.button.escalate": {"ja": "エスカレーション", "en": "Escalate"},
    "case.button.resolve": {"ja": "解決", "en": "Resolve"},
    "case.button.reopen": {"ja": "再オープン", "en": "Reopen"},
    "case.button.new_linked": {"ja": "新しいケースを起票", "en": "Open a new case"},
    "case.card.fallback": {"ja": "ケース #{number} [{priority}] {title}", "en": "Case #{number} [{priority}] {title}"},
    "case.due.responded": {"ja": "{when} ✅ {user}", "en": "{when} ✅ {user}"},
    "case.due.responded_late": {"ja": "{when} ({late}) ✅ {user}", "en": "{when} ({late}) ✅ {user}"},
    "case.due.overdue": {"ja": "{due} ⚠️ {remaining}", "en": "{due} ⚠️ {remaining}"},
    "case.due.pending": {"ja": "{due} ({remaining})", "en": "{due} ({remaining})"},
    # --- cases: events in the thread -------------------------------------------------------------
    "case.event.acknowledged": {
        "ja": "✅ {actor} さんが対応を開始しました。",
        "en": "✅ {actor} started working on this case.",
    },
    "case.event.first_response": {
        "ja": "💬 {actor} さんが初回応答しました。",
        "en": "💬 {actor} sent the first response.",
    },
    "case.event.priority_changed": {
        "ja": "⚖️ {actor} さんが優先度を {old} → {new} に変更しました。\n理由: {reason}\n新しい初期対応期限: {due}",
        "en": "⚖️ {actor} changed the priority {old} → {new}.\nReason: {reason}\nNew first response due: {due}",
    },
    "case.event.escalated": {
        "ja": "🔺 {actor} さんが {level} にエスカレーションしました。{mention}{note}",
        "en": "🔺 {actor} escalated to {level}. {mention}{note}",
    },
    "case.event.escalated_ticket": {
        "ja": "\nエンジニア向けチケットを起票してください: {link}",
        "en": "\nPlease file an engineering ticket: {link}",
    },
    "case.event.resolved": {
        "ja": "🎉 {actor} さんが解決済みにしました。{note}",
        "en": "🎉 {actor} resolved this case. {note}",
    },
    "case.event.self_resolved": {
        "ja": "🎉 起票者の {actor} さんが自己解決しました。{note}",
        "en": "🎉 The reporter, {actor}, resolved this case themselves. {note}",
    },
    "case.event.reopened": {
        "ja": "↩️ {actor} さんが再オープンしました。{note}",
        "en": "↩️ {actor} reopened this case. {note}",
    },
    "case.event.note": {"ja": "\nメモ: {note}", "en": "\nNote: {note}"},
    "case.emergency.text": {
        "ja": "🚨 優先度「高」のケース #{number}: {title}\n{mentions} 至急確認をお願いします。",
        "en": "🚨 High-priority case #{number}: {title}\n{mentions} please take a look now.",
    },
    "case.emergency.nobody": {
        "ja": "⚠️ オンコール担当者がいません ([oncall] rotation が空で、[oncall] fallback にユーザーグループも設定されていません)。",
        "en": "⚠️ Nobody is on call ([oncall] rotation is empty and [oncall] fallback names no user group).",
    },
    "case.link": {"ja": "ケースを開く", "en": "Open the case"},
    # --- SLA ----------------------------------------------------------------------------------------
    "sla.warning": {
        "ja": "⏰ {mention}初期対応期限まで残り{remaining} (期限: {due})。担当者は「対応開始」を押してください。",
        "en": "⏰ {mention}First response due in {remaining} (at {due}). Please press “Start working”.",
    },
    "sla.breach": {
        "ja": "🔁 再通知 {count}回目: 優先度「高」のケース #{number} が初期対応期限を{late}超過しています: {title}\n{mentions} 至急対応をお願いします。",
        "en": "🔁 Re-page {count}: high-priority case #{number} is {late} past its first-response target: {title}\n{mentions} please respond now.",
    },
    "sla.breach_dm": {
        "ja": "🚨 あなたがオンコール担当です。優先度「高」のケース #{number} が初期対応期限を{late}超過しています: {title}",
        "en": "🚨 You are on call. High-priority case #{number} is {late} past its first-response target: {title}",
    },
    "sla.lead": {
        "ja": "⚠️ {mention} ケース #{number} (優先度{priority}) が初期対応期限 ({due}) を過ぎています。対応者のアサインをお願いします。",
        "en": "⚠️ {mention} case #{number} ({priority}) missed its first-response target ({due}). Please assign someone.",
    },
    "sla.lead.nobody": {
        "ja": "(CS Lead が未設定です: [escalation] cs_lead)",
        "en": "(No CS Lead configured: [escalation] cs_lead)",
    },
    # --- plans and contracts -------------------------------------------------------------------
    "plan.target": {
        "ja": "{plan} プラン・優先度 {priority}: {duration} ({calendar})",
        "en": "{plan} plan, {priority} priority: {duration} ({calendar})",
    },
    "plan.calendar.24x7": {"ja": "24時間365日", "en": "24/7"},
    "plan.calendar.business": {
        "ja": "営業時間内: {days} {hours}{closed}",
        "en": "business hours: {days} {hours}{closed}",
    },
    "plan.calendar.excluding": {"ja": "、{days}を除く", "en": ", excluding {days}"},
    "plan.calendar.holidays": {"ja": "祝日", "en": "public holidays"},
    "plan.calendar.closures": {"ja": "休業日", "en": "company closures"},
    "plan.calendar.every_day": {"ja": "毎日", "en": "every day"},
    "plan.substituted": {
        "ja": "※ プラン「{requested}」は設定にないため、既定のプランで計算しています",
        "en": "Note: plan “{requested}” is no longer configured, so the default plan applies",
    },
    "plan.flag.contract_ended": {"ja": "契約期間外", "en": "Outside contract"},
    "plan.flag.low_not_covered": {
        "ja": "契約期間外のため、優先度 低 のお問い合わせはサポート対象外です。対応するかは担当者が判断してください。",
        "en": "The contract has ended and low-priority requests are not covered; an agent decides whether to take it.",
    },
    "plan.flag.unknown_plan": {
        "ja": "顧客のプラン「{requested}」は設定にないため、既定のプランを適用しました",
        "en": "The customer's plan “{requested}” is not configured; the default plan applies",
    },
    # --- on-call ------------------------------------------------------------------------------------
    "oncall.now": {"ja": "*現在のオンコール*: {who}{until}", "en": "*On call now*: {who}{until}"},
    "oncall.next": {"ja": "*次のオンコール*: {who} ({start} から)", "en": "*Next*: {who} (from {start})"},
    "oncall.until": {"ja": " ({until} まで)", "en": " (until {until})"},
    "oncall.override": {"ja": " — {by} さんによる代理設定", "en": " — override set by {by}"},
    "oncall.secondary": {"ja": " / セカンダリ: {who}", "en": " / secondary: {who}"},
    "oncall.nobody": {
        "ja": "オンコール担当者が設定されていません (緊急の呼び出しは緊急チャンネルに here 通知で送られます)。supportbot.toml の [oncall] rotation か、[oncall] fallback にユーザーグループを設定してください。",
        "en": "Nobody is on call (pages notify everyone active in the emergency channel). Set [oncall] rotation, or a user group as [oncall] fallback, in supportbot.toml.",
    },
    "oncall.set": {
        "ja": "{who} さんを {until} までオンコールに設定しました。",
        "en": "{who} is on call until {until}.",
    },
    "oncall.cleared": {
        "ja": "オンコールの代理設定を解除しました ({count}件)。",
        "en": "Cleared {count} on-call override(s).",
    },
    "oncall.usage": {
        "ja": "使い方: `/oncall` — 現在と次の担当 / `/oncall set @ユーザー [until +8h | until 18:00 | until 月曜 10:00 | until 2026-12-01 10:00]` / `/oncall clear`",
        "en": "Usage: `/oncall` — now and next / `/oncall set @user [until +8h | until 18:00 | until mon 10:00 | until 2026-12-01 10:00]` / `/oncall clear`",
    },
    "oncall.error.user": {
        "ja": "オンコールにする人を @メンションで指定してください (例: `/oncall set @sato`)。",
        "en": "Mention who should be on call (e.g. `/oncall set @sato`).",
    },
    "oncall.error.until": {
        "ja": "終了日時は `until +8h`、`until 18:00`、`until 月曜 10:00`、`until 2026-12-01 10:00` のように指定してください。",
        "en": "Give the end as `until +8h`, `until 18:00`, `until mon 10:00` or `until 2026-12-01 10:00`.",
    },
    "oncall.error.until_past": {"ja": "終了日時が過去です。", "en": "That end time is in the past."},
    # --- errors ------------------------------------------------------------------------------
    "error.database": {
        "ja": "一時的に保存できませんでした。もう一度お試しください。",
        "en": "Couldn't save that just now. Please try again.",
    },
    "error.unexpected": {
        "ja": "申し訳ありません。処理中にエラーが発生しました。時間をおいてもう一度お試しください。",
        "en": "Sorry, something went wrong. Please try again in a moment.",
    },
    "error.unknown_command": {
        "ja": "{command} はこのボットのコマンドではありません。使えるコマンド: {commands}",
        "en": "{command} is not one of this bot's commands. Its commands: {commands}",
    },
    "error.unknown_action": {
        "ja": "このボタンは現在使えません。もう一度操作をやり直してください。",
        "en": "This button is no longer available. Please start again.",
    },
}


def t(key: str, language: str, /, **values: object) -> str:
    """The message `key` in `language` (falls back to Japanese), with `{placeholders}` filled."""
    entry = MESSAGES[key]
    template = entry.get(language) or entry["ja"]
    return template.format(**values) if values else template


_WORD = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)?")
_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff66-\uff9f]")
# Words an English sentence can hardly do without; keywords and product names ("API rate limit") have none.
_SENTENCE_WORDS_TEXT = """a an the i we you my our your me us it this that there is are was were be been am do does did
can could would should will shall may might must have has had how what why when where which who whom to of for in on at
with from by about not no please"""
_SENTENCE_WORDS = frozenset(_SENTENCE_WORDS_TEXT.split())


def detect_language(text: str, default: Language) -> Language:
    """English when someone writes an English sentence: no Japanese characters, three words or more, one of
    them a word sentences need (how, do, I, the, is, can …). Short ASCII questions — "SSO?", "CSV",
    "API rate limit?" — are keywords, and keep the workspace's language."""
    if _JAPANESE.search(text or "") or is_romaji_message(text or ""):  # 「sakujo sitai desu」 is Japanese
        return Language.JA
    words = [word.lower() for word in _WORD.findall(text or "")]
    if len(words) >= 3 and any(word in _SENTENCE_WORDS for word in words):
        return Language.EN
    return default
