import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.slack.mrkdwn import (
    channel_link,
    escape_user_text,
    link,
    markdown_to_mrkdwn,
    mention,
    mention_user,
    mention_usergroup,
    neutralise,
    plain_user_text,
    quote_user_text,
)

# What Slack would turn into a notification or a link if it reached a message unescaped.
ACTIVE_TOKEN = re.compile(r"<[!@#]")


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("<!channel> 至急", "@channel 至急"),
        ("<!here|here> hi", "@here hi"),
        ("<!everyone>", "@everyone"),
        ("<@U0123> さん", "@U0123 さん"),
        ("<@U0123|sato> さん", "@sato さん"),
        ("<#C0123|general> を見て", "#general を見て"),
        ("<!subteam^S0123|@sre> help", "@sre help"),
        ("a &lt; b &amp;&amp; c &gt; d", "a &lt; b &amp;&amp; c &gt; d"),
        ("<https://evil.example|click>", "click (https://evil.example)"),
    ],
)
def test_user_tokens_become_inert_text(typed: str, shown: str) -> None:
    assert escape_user_text(typed) == shown


def test_escape_keeps_text_and_limits_length() -> None:
    assert escape_user_text("SSOの設定 & 確認") == "SSOの設定 &amp; 確認"
    assert escape_user_text("あ" * 10, limit=5) == "ああああ…"
    assert escape_user_text(None) == ""


def test_plain_text_has_no_tokens_and_no_entities() -> None:
    assert plain_user_text("<!channel> a &amp; b") == "@channel a & b"
    assert "<" not in plain_user_text("&lt;@U1&gt;")


def test_quote_prefixes_every_line() -> None:
    assert quote_user_text("一行目\n<!here>") == "&gt; 一行目\n&gt; @here"


@given(st.text())
def test_no_user_text_ever_produces_a_mention(text: str) -> None:
    for rendered in (escape_user_text(text), quote_user_text(text), escape_user_text(neutralise(text))):
        assert "<" not in rendered and ">" not in rendered.replace("&gt;", "")
        assert not ACTIVE_TOKEN.search(rendered)
    assert not ACTIVE_TOKEN.search(plain_user_text(text))


@given(st.lists(st.sampled_from(["<!channel>", "<@U1>", "<#C1|x>", "<!subteam^S1>", "&lt;!here&gt;", "x", " "])))
def test_no_combination_of_tokens_survives(parts: list[str]) -> None:
    assert not ACTIVE_TOKEN.search(escape_user_text("".join(parts)))


def test_mentions_are_minted_only_from_ids() -> None:
    assert mention_user("U0AGENT") == "<@U0AGENT>"
    assert mention_usergroup("S0SRE") == "<!subteam^S0SRE>"
    assert mention("S0SRE") == "<!subteam^S0SRE>"
    assert channel_link("C0CASES") == "<#C0CASES>"
    for bad in ("channel", "!channel", "U1>", "<@U1>"):
        with pytest.raises(ValueError):
            mention_user(bad)


def test_links_escape_their_label() -> None:
    assert link("https://x.example/a?b=1&c=2", "<!channel>") == "<https://x.example/a?b=1&amp;c=2|@channel>"


def test_knowledge_markdown_becomes_mrkdwn() -> None:
    markdown = "**注意**: [ガイド](https://help.example.com/sso) を参照\n- 項目\n1. 手順 < 2"
    assert markdown_to_mrkdwn(markdown) == (
        "*注意*: <https://help.example.com/sso|ガイド> を参照\n• 項目\n1. 手順 &lt; 2"
    )
