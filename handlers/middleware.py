"""Request-level middleware: each Slack event id is processed once, across retries and replicas."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltResponse

from bot.services import Services

log = logging.getLogger(__name__)


def register(app: App, services: Services) -> None:
    @app.middleware
    def deduplicate_events(body: dict[str, Any], next: Callable[[], BoltResponse]) -> BoltResponse | None:
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if event_id and not services.events.first_delivery(str(event_id)):
            log.info("event %s already processed; ignoring the redelivery", event_id)
            return BoltResponse(status=200, body="")
        return next()
