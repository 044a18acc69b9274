"""The case form's customer picker: the directory's customers whose name or id has what was typed.

Only agents get options (CaseService.find_customers): the directory is not for a customer's eyes.
Anyone else's case gets the customer of the channel it is opened in.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, BoltContext

from bot.cases import CaseService
from bot.slack.case_forms import customer_options


def on_customer_options(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
    cases: CaseService = context["cases"]
    user = str((body.get("user") or {}).get("id") or "")
    ack(options=customer_options(cases.find_customers(str(body.get("value") or ""), user, limit=100)))
