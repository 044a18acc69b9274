"""The customer directory: what a valid customer is, look-ups by channel, search for pickers, upserts."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.clock import ManualClock
from bot.customers import ChannelTaken, CustomerData, CustomerDirectory, InvalidCustomer, parse_customer, search_key
from bot.database import Database

PLANS = ("standard", "premier")
ACME = CustomerData("acme", "株式会社アクメ", "premier", ("C0ACME", "C0ACMEINT"), date(2027, 3, 31), "VIP")


@pytest.fixture
def directory(db: Database, clock: ManualClock) -> CustomerDirectory:
    return CustomerDirectory(db, clock)


def test_parse_customer_reads_spreadsheet_values() -> None:
    customer = parse_customer(
        {
            "id": " ａｃｍｅ ",
            "name": "株式会社アクメ",
            "plan": "premier",
            "channels": "C0ACMEINT  C0ACME,C0ACME",
            "contract_end": "2027/3/31",
            "notes": " VIP ",
        },
        PLANS,
    )
    assert customer == ACME
    toml_values = {
        "id": "acme",
        "name": "株式会社アクメ",
        "plan": "premier",
        "channels": ["C0ACME", "C0ACMEINT"],
        "contract_end": date(2027, 3, 31),
        "notes": "VIP",
    }
    assert parse_customer(toml_values, PLANS) == ACME
    assert parse_customer({"id": "b", "name": "B", "plan": "", "channels": "", "contract_end": ""}, PLANS) == (
        CustomerData("b", "B")
    )


def test_parse_customer_names_every_problem() -> None:
    with pytest.raises(InvalidCustomer) as error:
        parse_customer(
            {"id": "a b", "name": "", "plan": "gold", "channels": "#acme", "contract_end": "31.3.2027"}, PLANS
        )
    problems = error.value.problems
    assert len(problems) == 5
    assert problems[0].startswith("bad id 'a b'")
    assert problems[1].startswith("missing name")
    assert problems[2].startswith("unknown plan 'gold' (plans: standard, premier)")
    assert problems[3].startswith("'#acme' is not a Slack channel ID")
    assert problems[4].startswith("bad contract_end '31.3.2027': write the last day of the contract as YYYY-MM-DD")
    with pytest.raises(InvalidCustomer, match="bad contract_end '2027-02-30'"):
        parse_customer({"id": "a", "name": "A", "contract_end": "2027-02-30"}, PLANS)
    with pytest.raises(InvalidCustomer, match="missing id"):
        parse_customer({"name": "A"}, PLANS)


def test_upsert_adds_changes_and_recognises_no_change(directory: CustomerDirectory, clock: ManualClock) -> None:
    assert directory.upsert(ACME) == "added"
    created = clock.now()
    clock.advance(timedelta(hours=1))
    assert directory.upsert(ACME) == "unchanged"
    changed = CustomerData("acme", "Acme Corporation", "standard", ("C0ACME",), None, None)
    assert directory.upsert(changed) == "changed"
    record = directory.get("acme")
    assert record is not None and record.data() == changed
    assert (record.created_at, record.updated_at) == (created, clock.now())
    assert directory.find_by_channel("C0ACMEINT") is None  # given up, so no longer acme's
    assert directory.get("nobody") is None


def test_find_by_channel(directory: CustomerDirectory) -> None:
    directory.upsert_many([ACME, CustomerData("beta", "Beta", None, ("C0BETA",))])
    found = directory.find_by_channel("C0ACMEINT")
    assert found is not None and found.id == "acme" and found.channels == ("C0ACME", "C0ACMEINT")
    assert found.plan == "premier" and found.contract_end == date(2027, 3, 31)
    assert directory.find_by_channel("C0GENERAL") is None
    assert directory.channel_owners() == {"C0ACME": "acme", "C0ACMEINT": "acme", "C0BETA": "beta"}


def test_a_channel_belongs_to_one_customer(directory: CustomerDirectory) -> None:
    directory.upsert(ACME)
    with pytest.raises(ChannelTaken) as error:
        directory.upsert_many(
            [CustomerData("beta", "Beta", None, ("C0BETA",)), CustomerData("gamma", "G", None, ("C0ACME",))]
        )
    assert (error.value.channel, error.value.owner) == ("C0ACME", "acme")
    assert directory.get("beta") is None  # the whole batch changed nothing


def test_a_channel_moves_when_its_old_owner_gives_it_up_in_the_same_batch(directory: CustomerDirectory) -> None:
    directory.upsert(ACME)
    # The taker comes first in the batch: the channel is released before anything is inserted.
    taker = CustomerData("acme-jp", "アクメ日本", None, ("C0ACMEINT",))
    giver = CustomerData("acme", ACME.name, ACME.plan, ("C0ACME",), ACME.contract_end, ACME.notes)
    assert directory.upsert_many([taker, giver]) == ["added", "changed"]
    assert directory.channel_owners() == {"C0ACME": "acme", "C0ACMEINT": "acme-jp"}


def test_upsert_many_refuses_the_same_id_twice(directory: CustomerDirectory) -> None:
    with pytest.raises(ValueError, match="twice"):
        directory.upsert_many([ACME, ACME])


@pytest.fixture
def many(directory: CustomerDirectory) -> CustomerDirectory:
    directory.upsert_many(
        [
            CustomerData("acme", "株式会社アクメ"),
            CustomerData("acme-west", "アクメ西日本"),
            CustomerData("beta", "ベータ商事 (Acme group)"),
            CustomerData("zeta", "Zeta 100%"),
            CustomerData("ACME2", "Another"),
            CustomerData("gamma", "ｶﾞﾝﾏ 株式会社"),
        ]
    )
    return directory


def ids(records: list) -> list[str]:
    return [record.id for record in records]


def test_search_ranks_exact_id_then_id_prefix_then_name_prefix_then_the_rest(many: CustomerDirectory) -> None:
    assert ids(many.search("acme")) == ["acme", "ACME2", "acme-west", "beta"]
    assert ids(many.search("アクメ")) == ["acme-west", "acme"]  # name prefix first, then a name containing it


def test_search_ignores_case_width_and_spaces(many: CustomerDirectory) -> None:
    assert ids(many.search("ＡＣＭＥ-ＷＥＳＴ")) == ["acme-west"]
    assert ids(many.search("ガンマ株式会社")) == ["gamma"]  # half-width kana in the name
    assert ids(many.search("acme group")) == ["beta"]
    assert search_key(" Ａｃｍｅ　Group ") == "acmegroup"


def test_search_treats_like_wildcards_literally_and_limits(many: CustomerDirectory) -> None:
    assert ids(many.search("100%")) == ["zeta"]
    assert many.search("_") == []
    assert len(many.search("a", limit=2)) == 2
    assert len(many.search("", limit=500)) == 6  # an empty query lists customers by name, at most 100


def test_all_lists_customers_by_id(directory: CustomerDirectory) -> None:
    directory.upsert_many([CustomerData("beta", "Beta"), CustomerData("acme", "Acme")])
    assert ids(directory.all()) == ["acme", "beta"]
