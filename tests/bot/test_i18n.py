"""Which language a question gets its labels in: English only for questions written as English sentences."""

from __future__ import annotations

import pytest

from bot.i18n import MESSAGES, Language, detect_language


@pytest.mark.parametrize(
    "question",
    ["SSO?", "CSV", "API rate limit?", "SAML", "refund please", "login error 500", "Okta SCIM", "ＳＳＯ？", "?"],
)
def test_short_ascii_questions_keep_the_workspaces_language(question: str) -> None:
    assert detect_language(question, Language.JA) is Language.JA
    assert detect_language(question, Language.EN) is Language.EN


@pytest.mark.parametrize(
    "question",
    [
        "How do I delete a user?",
        "Is there a maximum number of users per plan?",
        "Invitation email not received",
        "Can the free trial be extended",
        "what is the API rate limit",
        "I can't log in",
    ],
)
def test_english_sentences_get_english_labels(question: str) -> None:
    assert detect_language(question, Language.JA) is Language.EN


@pytest.mark.parametrize("question", ["SSOの設定方法は？", "How do I 解約 the plan?", "CSVが文字化けする"])
def test_any_japanese_means_japanese(question: str) -> None:
    assert detect_language(question, Language.EN) is Language.JA


@pytest.mark.parametrize("question", ["pasuwa-do wo wasuremasita", "yu-za- tsuika no houhou osiete kudasai"])
def test_japanese_typed_in_romaji_gets_japanese_labels(question: str) -> None:
    assert detect_language(question, Language.EN) is Language.JA


def test_every_message_has_both_languages() -> None:
    missing = [key for key, texts in MESSAGES.items() if set(texts) != {"ja", "en"}]
    assert missing == []
