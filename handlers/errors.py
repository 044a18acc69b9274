"""One error handler: domain problems become polite ephemeral replies, never stack traces."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App, BoltResponse

from bot.database import DatabaseUnavailable
from bot.errors import UserFacingError
from bot.i18n import t
from bot.services import Services

log = logging.getLogger(__name__)


def register(app: App, services: Services) -> None:
    language = services.config.language

    @app.error
    def on_error(error: Exception, body: dict[str, Any], respond: Any, response: BoltResponse | None) -> Any:
        if isinstance(error, UserFacingError):
            message = error.render(language)
        elif isinstance(error, DatabaseUnavailable):
            log.warning("database unavailable while handling a request: %s", error)
            message = t("error.database", language)
        else:
            log.error("unhandled error: %r", error, exc_info=error)
            message = t("error.unexpected", language)
        if respond is not None and body.get("response_url"):
            try:
                respond(text=message, response_type="ephemeral", replace_original=False)
            except Exception:  # the user may already be gone; logging is all we can do
                log.warning("could not tell the user about the error", exc_info=True)
        # Slack only needs to know the request arrived: answering 200 avoids retries of a
        # request the user was already told about.
        if response is not None and response.status >= 500 and body.get("type") != "event_callback":
            return BoltResponse(status=200, body="")
        return None
