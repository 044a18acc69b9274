"""The case forms: every field of the `/case` form, its prefill, and the escalate and resolve forms."""

from __future__ import annotations

import json
from datetime import timedelta

from bot.business_calendar import BusinessCalendar
from bot.config import BusinessHoursConfig, SlaConfig
from bot.sla import SlaPolicy
from bot.slack import case_forms
from bot.slack.blocks import view_values
from tests.bot.slack.test_case_blocks import HOSTILE, make_case, tokens
from tests.harness import make_config

TARGETS = SlaPolicy(SlaConfig(), BusinessCalendar(BusinessHoursConfig()))


def test_the_case_form_has_every_field() -> None:
    view = case_forms.case_modal("ja", title_limit=200, targets=TARGETS)
    assert view["callback_id"] == case_forms.VIEW_OPEN and json.loads(view["private_metadata"]) == {}
    blocks = {b["block_id"]: b for b in view["blocks"]}
    assert list(blocks) == [
        "title",
        "description",
        "priority",
        "customer_pick",
        "customer",
        "category",
        "impact",
        "steps",
    ]
    labels = [b["label"]["text"] for b in view["blocks"]]
    assert labels == ["件名", "詳細", "優先度", "顧客 (契約)", "顧客/テナント", "カテゴリ", "影響範囲", "再現手順"]
    assert blocks["title"]["optional"] is False and blocks["title"]["element"]["max_length"] == 200
    assert blocks["priority"].get("optional", False) is False
    options = blocks["priority"]["element"]["options"]
    assert [(o["value"], o["text"]["text"]) for o in options] == [
        ("high", "🔴 高"),
        ("medium", "🟠 中"),
        ("low", "🟢 低"),
    ]
    assert all(0 < len(o["description"]["text"]) <= 75 for o in options)
    assert "回避策" in options[1]["description"]["text"]
    assert [o["description"]["text"].split("初期対応: ")[1] for o in options] == [
        "24時間体制で2時間)",
        "営業時間内で6時間)",
        "営業時間内で8時間)",
    ]
    categories = blocks["category"]["element"]["options"]
    assert [o["text"]["text"] for o in categories] == ["技術", "請求・契約", "アカウント", "その他"]
    assert all(blocks[b]["optional"] for b in ("description", "customer", "category", "impact", "steps"))


def test_the_priority_help_is_built_from_the_configured_targets() -> None:
    """Issue 9: no 2時間/6/8 in the text — a different [sla] (or, later, a plan's targets) changes it."""
    config = make_config(
        sla={"high": {"target": "1h", "calendar": "24x7"}, "low": {"target": "3d", "calendar": "24x7"}}
    )
    policy = SlaPolicy(config.sla, BusinessCalendar(config.business_hours))
    for language, high, low in (
        ("ja", "24時間体制で1時間", "24時間体制で3日"),
        ("en", "1h, around the clock", "3d, around the clock"),
    ):
        options = next(
            b for b in case_forms.case_modal(language, targets=policy)["blocks"] if b["block_id"] == "priority"
        )
        described = [o["description"]["text"] for o in options["element"]["options"]]
        assert high in described[0] and low in described[2] and all(len(d) <= 75 for d in described)
    assert case_forms.describe_target(policy.for_priority("medium"), "en") == "6h of business hours"
    assert timedelta(hours=6) == policy.for_priority("medium").duration


def test_the_form_prefilled_from_a_message() -> None:
    view = case_forms.case_modal(
        "ja",
        targets=TARGETS,
        prefill={
            "title": "<!channel> ログインできない",
            "description": "質問: <@U0CUSTOMER> <b>",
            "priority": "low",
            "channel": "C0FAQ",
            "origin_link": "https://fake.slack.com/archives/C0FAQ/p1",
            "related_case": 3,
            "thread_ts": "1795300000.000100",
            "language": "en",
        },
    )
    blocks = {b["block_id"]: b for b in view["blocks"]}
    assert blocks["title"]["element"]["initial_value"] == "‹!channel> ログインできない"
    assert blocks["description"]["element"]["initial_value"] == "質問: ‹@U0CUSTOMER> <b>"
    assert blocks["priority"]["element"]["initial_option"]["value"] == "low"
    assert json.loads(view["private_metadata"]) == {  # kept for when it is sent
        "channel": "C0FAQ",
        "origin_link": "https://fake.slack.com/archives/C0FAQ/p1",
        "related_case": 3,
        "thread_ts": "1795300000.000100",
        "language": "en",
    }


def test_the_whole_description_in_a_modal() -> None:
    long = "行" * 2000 + "\n" + "<!channel> " * 400
    view = case_forms.description_modal(make_case(description=long), "ja")
    sections = [b["text"]["text"] for b in view["blocks"]]
    assert view["title"]["text"] == "ケース #42 の詳細" and "submit" not in view
    assert "行" * 2000 in "".join(sections) and tokens(view) == set()
    assert all(len(text) <= 3000 for text in sections)


def test_the_escalation_form_offers_only_higher_levels() -> None:
    view = case_forms.escalate_modal(make_case(title=HOSTILE), "ja")
    assert view["callback_id"] == case_forms.VIEW_ESCALATE and view["private_metadata"] == "42"
    level = next(b for b in view["blocks"] if b.get("block_id") == "level")
    assert [o["value"] for o in level["element"]["options"]] == ["L2", "L3"]
    at_l2 = case_forms.escalate_modal(make_case(escalation_level=2), "ja")
    level = next(b for b in at_l2["blocks"] if b.get("block_id") == "level")
    assert [o["value"] for o in level["element"]["options"]] == ["L3"]
    resolve = case_forms.resolve_modal(make_case(title=HOSTILE), "ja")
    assert resolve["callback_id"] == case_forms.VIEW_RESOLVE and resolve["private_metadata"] == "42"
    assert tokens(view, resolve) == set()


def test_submitted_values_by_block() -> None:
    view = {
        "state": {
            "values": {
                "title": {"value": {"type": "plain_text_input", "value": "件名"}},
                "description": {"value": {"type": "plain_text_input", "value": None}},
                "priority": {"value": {"type": "radio_buttons", "selected_option": {"value": "high"}}},
                "category": {"value": {"type": "static_select", "selected_option": None}},
            }
        }
    }
    assert view_values(view) == {"title": "件名", "description": None, "priority": "high", "category": None}
