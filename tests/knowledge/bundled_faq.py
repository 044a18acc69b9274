"""Headings of the bundled FAQ (knowledge/faq.md) that the search tests expect as answers."""

from __future__ import annotations

from knowledge.search import KnowledgeIndex

TRIAL = "トライアル期間の延長は可能ですか？"
BACKUP = "データのバックアップは取れますか？"
DOWNGRADE = "プランのダウングレードはできますか？"
SSO = "SSOはどのIdPに対応していますか？"
API = "API レート制限はありますか？"
USERS = "ユーザー数の上限はありますか？"
INVITE = "招待メールが届かないと言われたら？"
ERROR = "「予期せぬエラー」が表示される"
LOGIN = "ログインできない (パスワードを忘れた)"
SLOW = "動作が遅い"
INVOICE = "請求書の発行は可能ですか？"
PAYMENT = "支払い方法は何がありますか？"
CANCEL = "解約方法は？"


def answer(index: KnowledgeIndex, query: str) -> str | None:
    """The heading the index answers `query` with, or None when it does not answer."""
    entry = index.search(query).answer
    return entry.question if entry else None
