"""What the bot says about the FAQ: answers, もしかして, `/faq`, and teaching it from Slack.

One area of the message catalogue (bot/i18n.py merges it into `MESSAGES`; `t()` reads them).
"""

from __future__ import annotations

FAQ_MESSAGES: dict[str, dict[str, str]] = {
    # --- answers and suggestions ----------------------------------------------------------------
    "faq.answer.escalation": {"ja": "エスカレーション", "en": "Escalation"},
    "faq.answer.related": {"ja": "関連ドキュメント", "en": "Related docs"},
    "faq.answer.source": {"ja": "出典", "en": "Source"},
    "faq.answer.source_slack": {
        "ja": "Slackで追加 (`supportbot faq export` でファイルに書き出せます)",
        "en": "added in Slack (`supportbot faq export` writes it into the files)",
    },
    "faq.answer.resolved_button": {"ja": "解決しました", "en": "Solved"},
    "faq.answer.unresolved_button": {"ja": "解決しない", "en": "Not solved"},
    "faq.answer.fallback": {"ja": "FAQの回答: {question}", "en": "FAQ answer: {question}"},
    "faq.answer.others": {
        "ja": "ほかにこちらの質問でしょうか？ 押すと回答を表示します。",
        "en": "Or were you asking one of these? Pick one to see its answer.",
    },
    "faq.suggest.intro": {
        "ja": "もしかして、次のどれかでしょうか？ 該当するものを押すと回答を表示します。",
        "en": "Did you mean one of these? Pick one to see its answer.",
    },
    "faq.suggest.fallback": {"ja": "もしかして: {questions}", "en": "Did you mean: {questions}"},
    "faq.not_found": {
        "ja": "ナレッジベースに該当する回答が見つかりませんでした。担当者に確認が必要な場合は「ケースを起票」からどうぞ。",
        "en": "I couldn't find this in the knowledge base. To ask the support team, open a case.",
    },
    "faq.button.open_case": {"ja": "ケースを起票", "en": "Open a case"},
    "faq.button.none_match": {"ja": "どれも違う", "en": "None of these"},
    "faq.case.suggested": {
        "ja": "FAQの候補には該当するものがありませんでした。\n質問: {question}",
        "en": "None of the FAQ's suggestions matched.\nQuestion: {question}",
    },
    "faq.case.not_found": {
        "ja": "FAQに該当する回答がありませんでした。\n質問: {question}",
        "en": "The FAQ had no answer for this.\nQuestion: {question}",
    },
    "faq.feedback.thanks": {
        "ja": "フィードバックありがとうございます。お役に立ててよかったです。",
        "en": "Thanks for the feedback — glad it helped.",
    },
    # --- /faq ---------------------------------------------------------------------------------------
    "faq.command.usage": {
        "ja": "使い方: `/faq 質問` — 例: `/faq SSOはどのIdPに対応していますか？`",
        "en": "Usage: `/faq <question>` — e.g. `/faq Which IdPs do you support for SSO?`",
    },
    "faq.command.agent_usage": {
        "ja": (
            "\nサポート担当者向け: `/faq gaps` — 回答できなかった質問 (FAQに紐付け) / `/faq learned` — 学習した内容 "
            "(確認・取り消し) / `/faq reload` — ナレッジベースの再読み込み"
        ),
        "en": (
            "\nFor agents: `/faq gaps` — questions the bot could not answer (link them to the FAQ) / "
            "`/faq learned` — what it learned (confirm, remove) / `/faq reload` — reload the knowledge base"
        ),
    },
    "faq.command.results": {"ja": "「{query}」の検索結果", "en": "Results for “{query}”"},
    "faq.command.none": {
        "ja": "「{query}」に該当するFAQは見つかりませんでした。`/case` でケースを起票できます。",
        "en": "Nothing in the FAQ matches “{query}”. You can open a case with `/case`.",
    },
    "faq.command.score": {"ja": "一致度 {score}", "en": "match {score}"},
    "faq.command.show_button": {"ja": "この回答を見る", "en": "Show this answer"},
    "faq.command.decision": {
        "ja": "判定: {decision} (担当者にのみ表示)",
        "en": "Decision: {decision} (shown to agents only)",
    },
    "faq.decision.answer": {"ja": "回答する", "en": "answer"},
    "faq.decision.confirmed": {"ja": "回答する — 意味の近さで確認済み", "en": "answer — confirmed by embeddings"},
    "faq.decision.suggest": {"ja": "もしかして", "en": "suggest"},
    "faq.decision.confidence": {"ja": " (確信度 {confidence})", "en": " (confidence {confidence})"},
    "faq.decision.none": {"ja": "回答しない", "en": "no answer"},
    # --- teaching ----------------------------------------------------------------------------------
    "faq.teach.not_agent": {
        "ja": "申し訳ありません。FAQを教えたり、学習した内容を変えたりできるのはサポート担当者のみです。",
        "en": "Sorry, only support agents can teach the FAQ or change what it learned.",
    },
    "faq.teach.learned_now": {
        "ja": "ありがとうございます。この質問を「{entry}」の言い換えとして学習しました。",
        "en": "Thanks! I learned this question as another way to ask “{entry}”.",
    },
    "faq.teach.candidate.text": {
        "ja": "💡 この質問を「{entry}」の言い換え候補として記録しました。サポート担当者が確認すると、次からは直接回答します。",
        "en": "💡 I noted this question as another way to ask “{entry}”. Once a support agent confirms it, I'll answer it directly.",
    },
    "faq.teach.candidate.button": {"ja": "学習する (担当者)", "en": "Learn it (agents)"},
    "faq.teach.candidate.done": {
        "ja": "✅ {agent} さんが確認しました。この質問を「{entry}」の言い換えとして学習しました。",
        "en": "✅ {agent} confirmed it: I learned this question as another way to ask “{entry}”.",
    },
    "faq.teach.candidate.gone": {
        "ja": "この候補はすでに学習済みか、取り消されています。",
        "en": "This suggestion was already learned or removed.",
    },
    "faq.teach.link.title": {"ja": "FAQに紐付け", "en": "Link to FAQ"},
    "faq.teach.link.submit": {"ja": "学習する", "en": "Learn"},
    "faq.teach.link.intro": {
        "ja": "この質問を、選んだFAQの項目の言い換えとして学習します。次からは同じような質問に直接回答します。",
        "en": "I'll learn this question as another way to ask the entry you pick, and answer such questions directly.",
    },
    "faq.teach.field.question": {"ja": "質問", "en": "Question"},
    "faq.teach.field.entry": {"ja": "FAQの項目", "en": "FAQ entry"},
    "faq.teach.field.entry_placeholder": {"ja": "キーワードで検索", "en": "Search by keyword"},
    "faq.teach.link.done": {
        "ja": "「{text}」を「{entry}」の言い換えとして学習しました。",
        "en": "Learned “{text}” as another way to ask “{entry}”.",
    },
    "faq.teach.done.close": {"ja": "閉じる", "en": "Close"},
    "faq.teach.add.title": {"ja": "FAQに追加", "en": "Add to FAQ"},
    "faq.teach.add.submit": {"ja": "下書きを保存", "en": "Save draft"},
    "faq.teach.add.intro": {
        "ja": "下書きとして保存し、サポート担当者が承認すると回答に使われます。",
        "en": "Saved as a draft; it answers questions once a support agent approves it.",
    },
    "faq.teach.field.answer": {"ja": "回答", "en": "Answer"},
    "faq.teach.field.category": {"ja": "カテゴリ", "en": "Category"},
    "faq.teach.field.escalation": {"ja": "エスカレーション", "en": "Escalation"},
    "faq.teach.field.links": {"ja": "関連ドキュメント", "en": "Related docs"},
    "faq.teach.field.links_hint": {"ja": "1行に1件: タイトル URL", "en": "One a line: title URL"},
    "faq.teach.add.saved": {
        "ja": "下書き「{question}」を保存しました。サポート担当者が承認すると回答に使われます。",
        "en": "Saved the draft “{question}”. It answers questions once a support agent approves it.",
    },
    "faq.teach.draft.text": {
        "ja": "📝 {author} さんがFAQの項目を下書きしました。承認すると回答に使われます。",
        "en": "📝 {author} drafted an FAQ entry. Once approved, it answers questions.",
    },
    "faq.teach.draft.fallback": {"ja": "FAQの下書き: {question}", "en": "FAQ draft: {question}"},
    "faq.teach.draft.approve": {"ja": "承認して公開", "en": "Approve"},
    "faq.teach.draft.discard": {"ja": "破棄", "en": "Discard"},
    "faq.teach.draft.approved": {
        "ja": "✅ {agent} さんが承認しました。この項目は回答に使われています: 「{question}」",
        "en": "✅ {agent} approved it; it now answers questions: “{question}”",
    },
    "faq.teach.draft.discarded": {
        "ja": "🗑 {agent} さんが下書きを破棄しました: 「{question}」",
        "en": "🗑 {agent} discarded the draft “{question}”.",
    },
    "faq.teach.draft.decided": {
        "ja": "この下書きはすでに承認または破棄されています。",
        "en": "This draft was already approved or discarded.",
    },
    "faq.teach.removed": {"ja": "取り消しました: 「{text}」", "en": "Removed: “{text}”"},
    "faq.teach.error.question": {"ja": "質問を入力してください。", "en": "Please enter the question."},
    "faq.teach.error.answer": {"ja": "回答を入力してください。", "en": "Please enter the answer."},
    "faq.teach.error.too_long": {
        "ja": "{limit}文字以内にしてください (現在{length}文字)。",
        "en": "Please keep it within {limit} characters (it has {length}).",
    },
    "faq.teach.error.entry": {
        "ja": "FAQの項目を選んでください (検索欄にキーワードを入力)。",
        "en": "Please pick an FAQ entry (type a keyword to search).",
    },
    "faq.teach.error.unknown_entry": {
        "ja": "選んだFAQの項目が見つかりません (ナレッジベースが更新された可能性があります)。もう一度選んでください。",
        "en": "That FAQ entry no longer exists (the knowledge base may have changed). Please pick again.",
    },
    "faq.teach.error.exists": {
        "ja": "同じ質問の項目がすでにあります: 「{question}」",
        "en": "An entry with this question exists already: “{question}”",
    },
    "faq.teach.error.link_line": {
        "ja": "{line}行目: 「タイトル https://…」の形で書いてください。",
        "en": "Line {line}: write it as “title https://…”.",
    },
    "faq.teach.error.not_found": {
        "ja": "{id} は見つかりませんでした。`/faq learned` で一覧を確認できます。",
        "en": "{id} was not found. `/faq learned` lists what was learned.",
    },
    # --- /faq gaps, /faq learned, /faq reload (agents) ------------------------------------------
    "faq.gaps.header": {
        "ja": "*回答できなかった質問* (多い順)",
        "en": "*Questions I could not answer* (most asked first)",
    },
    "faq.gaps.line": {"ja": "{count}回 · 最終 {when}", "en": "{count}× · last {when}"},
    "faq.gaps.none": {
        "ja": "回答できなかった質問はまだありません。",
        "en": "No unanswered questions recorded yet.",
    },
    "faq.gaps.link_button": {"ja": "FAQに紐付け", "en": "Link to FAQ"},
    "faq.learned.header": {"ja": "*学習した内容* (新しい順)", "en": "*What the FAQ learned* (newest first)"},
    "faq.learned.none": {"ja": "学習した内容はまだありません。", "en": "Nothing learned yet."},
    "faq.learned.phrasing": {
        "ja": "`{id}` {status} 「{text}」 → {entry}",
        "en": "`{id}` {status} “{text}” → {entry}",
    },
    "faq.learned.entry": {
        "ja": "`{id}` {status} 新しい項目「{question}」",
        "en": "`{id}` {status} new entry “{question}”",
    },
    "faq.learned.by": {"ja": "{who} · {when}", "en": "{who} · {when}"},
    "faq.learned.remove_button": {"ja": "取り消す", "en": "Remove"},
    "faq.learned.confirm_button": {"ja": "学習する", "en": "Learn it"},
    "faq.status.candidate": {"ja": "[候補]", "en": "[candidate]"},
    "faq.status.learned": {"ja": "[学習済み]", "en": "[learned]"},
    "faq.status.draft": {"ja": "[下書き]", "en": "[draft]"},
    "faq.status.live": {"ja": "[公開中]", "en": "[live]"},
    "faq.reload.done": {"ja": "ナレッジベースを再読み込みしました。", "en": "Reloaded the knowledge base."},
    "faq.reload.file": {
        "ja": "• {file}: 追加 {added}・変更 {changed}・削除 {removed}",
        "en": "• {file}: {added} added, {changed} changed, {removed} removed",
    },
    "faq.reload.unchanged": {"ja": "変更はありませんでした。", "en": "Nothing had changed."},
    "faq.reload.error": {
        "ja": "⚠️ `{location}` {message}\n→ このファイルは前回読み込めた内容のまま回答を続けています。直して `/faq reload` してください。",
        "en": "⚠️ `{location}` {message}\n→ I keep answering from this file's last good version. Fix it and `/faq reload`.",
    },
}
