"""Every sentence the bot says, in Japanese (the default) and English."""

from __future__ import annotations

import re
from typing import Literal

Language = Literal["ja", "en"]

MESSAGES: dict[str, dict[str, str]] = {
    # --- FAQ ---------------------------------------------------------------------------------
    "faq.answer.escalation": {"ja": "エスカレーション", "en": "Escalation"},
    "faq.answer.related": {"ja": "関連ドキュメント", "en": "Related docs"},
    "faq.answer.source": {"ja": "出典", "en": "Source"},
    "faq.answer.resolved_button": {"ja": "解決しました", "en": "Solved"},
    "faq.answer.unresolved_button": {"ja": "解決しない", "en": "Not solved"},
    "faq.answer.fallback": {"ja": "FAQの回答: {question}", "en": "FAQ answer: {question}"},
    "faq.suggest.intro": {
        "ja": "もしかして、次のどれかでしょうか？ 該当するものを押すと回答を表示します。",
        "en": "Did you mean one of these? Pick one to see its answer.",
    },
    "faq.suggest.fallback": {"ja": "もしかして: {questions}", "en": "Did you mean: {questions}"},
    "faq.not_found": {
        "ja": "ナレッジベースに該当する回答が見つかりませんでした。担当者に確認が必要な場合は `/case` でケースを起票してください。",
        "en": "I couldn't find this in the knowledge base. To ask the support team, open a case with `/case`.",
    },
    "faq.feedback.thanks": {
        "ja": "フィードバックありがとうございます。お役に立ててよかったです。",
        "en": "Thanks for the feedback — glad it helped.",
    },
    "faq.feedback.unresolved": {
        "ja": "解決できず申し訳ありません。`/case 中 件名` でケースを起票すると、担当者が対応します。",
        "en": "Sorry this didn't solve it. Open a case with `/case medium <title>` and an agent will take it from here.",
    },
    "faq.feedback.recorded": {
        "ja": "✅ {user} さんが「解決しました」と回答しました",
        "en": "✅ {user} marked this as solved",
    },
    "faq.command.usage": {
        "ja": "使い方: `/faq 質問` — 例: `/faq SSOはどのIdPに対応していますか？`",
        "en": "Usage: `/faq <question>` — e.g. `/faq Which IdPs do you support for SSO?`",
    },
    "faq.command.results": {"ja": "「{query}」の検索結果", "en": "Results for “{query}”"},
    "faq.command.none": {
        "ja": "「{query}」に該当するFAQは見つかりませんでした。`/case` でケースを起票できます。",
        "en": "Nothing in the FAQ matches “{query}”. You can open a case with `/case`.",
    },
    "faq.command.score": {"ja": "一致度 {score}", "en": "match {score}"},
    "faq.command.show_button": {"ja": "この回答を見る", "en": "Show this answer"},
    # --- errors ------------------------------------------------------------------------------
    "error.database": {
        "ja": "一時的に保存できませんでした。もう一度お試しください。",
        "en": "Couldn't save that just now. Please try again.",
    },
    "error.unexpected": {
        "ja": "申し訳ありません。処理中にエラーが発生しました。時間をおいてもう一度お試しください。",
        "en": "Sorry, something went wrong. Please try again in a moment.",
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


_LATIN = re.compile(r"[A-Za-z]")
_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff66-\uff9f]")


def detect_language(text: str, default: Language) -> Language:
    """English when someone writes in English (no Japanese characters, mostly Latin letters)."""
    if _JAPANESE.search(text or ""):
        return "ja"
    letters = len(_LATIN.findall(text or ""))
    if letters >= 3:
        return "en"
    return default
