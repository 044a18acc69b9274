import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.slack.mrkdwn import (
    channel_link,
    escape_text,
    escape_user_text,
    from_slack,
    link,
    markdown_to_mrkdwn,
    mention,
    mention_user,
    mention_usergroup,
    plain_field,
    quote_text,
)

# What Slack would turn into a notification or a link if it reached a message unescaped.
ACTIVE_TOKEN = re.compile(r"<[!@#]")


@pytest.mark.parametrize(
    ("slack_text", "plain"),
    [
        ("<!channel> 至急", "@channel 至急"),
        ("<!here|here> hi", "@here hi"),
        ("<!everyone>", "@everyone"),
        ("<@U0123> さん", "@U0123 さん"),
        ("<@U0123|sato> さん", "@sato さん"),
        ("<#C0123|general> を見て", "#general を見て"),
        ("<!subteam^S0123|@sre> help", "@sre help"),
        ("a &lt; b &amp;&amp; c &gt; d", "a < b && c > d"),
        ("&lt;!channel&gt; typed by hand", "<!channel> typed by hand"),
        ("<https://evil.example|click>", "click (https://evil.example)"),
    ],
)
def test_slack_text_becomes_plain_text_once(slack_text: str, plain: str) -> None:
    assert from_slack(slack_text) == plain


def test_plain_text_is_escaped_not_rewritten() -> None:
    assert escape_text("SSOの設定 & <code> を確認") == "SSOの設定 &amp; &lt;code&gt; を確認"
    assert escape_text("<!channel>") == "&lt;!channel&gt;"  # shown as typed, notifies nobody
    assert escape_text("あ" * 10, limit=5) == "ああああ…"
    assert escape_text(None) == ""
    assert quote_text("一行目\n<!here>") == "&gt; 一行目\n&gt; &lt;!here&gt;"


def test_echoing_slack_text_directly() -> None:
    assert escape_user_text("<!channel> a &amp; b") == "@channel a &amp; b"


def test_plain_fields_keep_text_but_not_tokens() -> None:
    assert plain_field("a < b <code>") == "a < b <code>"
    assert plain_field("<!channel> <@U1> <#C1>") == "‹!channel> ‹@U1> ‹#C1>"
    assert plain_field("x" * 80, limit=75).endswith("…")


@given(st.text())
def test_no_user_text_ever_produces_a_mention(text: str) -> None:
    for rendered in (escape_text(text), quote_text(text), escape_user_text(text), escape_text(from_slack(text))):
        assert "<" not in rendered and ">" not in rendered.replace("&gt;", "")
        assert not ACTIVE_TOKEN.search(rendered)
    assert not ACTIVE_TOKEN.search(plain_field(text))
    assert not ACTIVE_TOKEN.search(plain_field(from_slack(text)))


@given(
    st.lists(st.sampled_from(["<!channel>", "<@U1>", "<#C1|x>", "<!subteam^S1>", "&lt;!here&gt;", "<", "!", "x", " "]))
)
def test_no_combination_of_tokens_survives(parts: list[str]) -> None:
    text = "".join(parts)
    assert not ACTIVE_TOKEN.search(escape_text(from_slack(text)))
    assert not ACTIVE_TOKEN.search(plain_field(from_slack(text)))


def test_mentions_are_minted_only_from_ids() -> None:
    assert mention_user("U0AGENT") == "<@U0AGENT>"
    assert mention_usergroup("S0SRE") == "<!subteam^S0SRE>"
    assert mention("S0SRE") == "<!subteam^S0SRE>"
    assert channel_link("C0CASES") == "<#C0CASES>"
    for bad in ("channel", "!channel", "U1>", "<@U1>"):
        with pytest.raises(ValueError):
            mention_user(bad)


def test_links_escape_their_label() -> None:
    assert link("https://x.example/a?b=1&c=2", "<!channel>") == "<https://x.example/a?b=1&amp;c=2|&lt;!channel&gt;>"


def test_knowledge_markdown_becomes_mrkdwn() -> None:
    markdown = "**注意**: [ガイド](https://help.example.com/sso) を参照\n- 項目\n1. 手順 < 2"
    assert markdown_to_mrkdwn(markdown) == (
        "*注意*: <https://help.example.com/sso|ガイド> を参照\n• 項目\n1. 手順 &lt; 2"
    )


def test_knowledge_markdown_links_never_become_mentions() -> None:
    """An answer written in Slack (「FAQに追加」) is knowledge Markdown too: a link to "!here" stays text."""
    for markdown in (
        "[みんな](!here)",
        "[担当](@U0BOSS)",
        "[会議室](#C0GENERAL)",
        "[x](https://a.example/|<!channel>)",
    ):
        shown = markdown_to_mrkdwn(markdown)
        assert "<!" not in shown and "<@" not in shown and "<#" not in shown, shown
