"""The case form's customer picker (`app.options`), called directly."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.customers import CustomerRecord
from handlers.options.customers import on_customer_options
from tests.handlers.listeners import ack, context

WHEN = datetime(2026, 11, 16, tzinfo=UTC)
ACME = CustomerRecord(id="acme", name="株式会社アクメ", plan="premier", created_at=WHEN, updated_at=WHEN)


def test_the_picker_offers_the_directorys_matches_by_name_and_id() -> None:
    acked, ctx = ack(), context()
    ctx["cases"].find_customers.return_value = [ACME]
    on_customer_options(ack=acked, body={"user": {"id": "U0AGENT"}, "value": "アクメ"}, context=ctx)
    ctx["cases"].find_customers.assert_called_once_with("アクメ", "U0AGENT", limit=100)
    (option,) = acked.call_args.kwargs["options"]
    assert (option["text"]["text"], option["value"]) == ("株式会社アクメ (acme)", "acme")
