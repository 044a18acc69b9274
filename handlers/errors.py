"""One error handler: domain problems become polite ephemeral replies, never stack traces.

It also answers requests no listener matched (the app is built with
`raise_error_for_unhandled_request=True`): a button from an older version of the app gets a polite
"no longer available" instead of Slack's warning triangle, and an event nobody listens to is acked
so that Slack does not retry it.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.error import BoltUnhandledRequestError
from slack_sdk.signature import SignatureVerifier

from bot.database import DatabaseUnavailable
from bot.errors import UserFacingError
from bot.i18n import t
from bot.metrics import Metrics
from bot.slack.mrkdwn import escape_text
from handlers.commands import COMMANDS

log = logging.getLogger(__name__)

# Interactive payloads whose unknown action deserves a word to the user; anything else is only acked.
_INTERACTIVE = frozenset({"block_actions", "interactive_message", "message_action", "shortcut"})


class ErrorReplies:
    """The app's error handler: what to tell the person, in the desk's language, and what to answer Slack."""

    def __init__(self, language: str, signing_secret: str | None, metrics: Metrics | None = None) -> None:
        self.language = language
        self.metrics = metrics
        self.verifier = SignatureVerifier(signing_secret) if signing_secret else None

    def signed_by_slack(self, request: BoltRequest | None) -> bool:
        """Whether to trust the body's response_url: an error can happen before Bolt checked the signature,
        and posting to a URL from an unsigned body would let anyone make the bot send requests."""
        if self.verifier is None or request is None or request.mode == "socket_mode":
            return True
        headers = {name: values[0] for name, values in request.headers.items() if values}
        try:
            return self.verifier.is_valid_request(request.raw_body, headers)
        except Exception:  # a malformed timestamp or signature header
            return False

    def tell(self, respond: Any, body: dict[str, Any], request: BoltRequest | None, message: str) -> None:
        if respond is None or not self.signed_by_slack(request):
            return
        if not body.get("response_url") and not getattr(respond, "answers_in_home", False):  # App Home: its own way
            return
        try:
            respond(text=message, response_type="ephemeral", replace_original=False)
        except Exception:  # the user may already be gone; logging is all we can do
            log.warning("could not tell the user about the error", exc_info=True)

    def unhandled(self, body: dict[str, Any], request: BoltRequest | None, respond: Any) -> BoltResponse | None:
        kind = body.get("type") or ("slash_command" if body.get("command") else None)
        ack = request.context.get("ack") if request is not None else None
        if getattr(ack, "listener_started", False):
            # A listener matched but did not ack within Bolt's 3 s: it is still running, so telling the
            # user that the button is gone (or to try again) would be wrong. Slack reports the timeout.
            log.warning("a listener for %s did not ack in time", kind)
            return None
        if kind == "event_callback":
            log.debug("no listener for event %s", (body.get("event") or {}).get("type"))
            return BoltResponse(status=200, body="")
        if kind in _INTERACTIVE or kind == "slash_command":
            actions = [a.get("action_id") for a in body.get("actions") or [] if isinstance(a, dict)]
            log.info("no listener for %s %s", kind, actions or body.get("callback_id") or body.get("command"))
            self.tell(respond, body, request, self._unhandled_message(kind, body.get("command")))
            return BoltResponse(status=200, body="")
        if kind in ("view_submission", "view_closed"):
            return BoltResponse(status=200, body="")
        return None  # not a shape Slack sends: Bolt's 404 stands

    def _unhandled_message(self, kind: str, command: Any) -> str:
        """A button no listener knows is gone; a command the app does not have (a manifest that
        declares one more, or a typo in the console) is named with the ones it has."""
        if kind != "slash_command":
            return t("error.unknown_action", self.language)
        if isinstance(command, str) and command not in COMMANDS:
            names = ", ".join(f"`{name}`" for name in COMMANDS)
            return t("error.unknown_command", self.language, command=escape_text(command[:40]), commands=names)
        return t("error.unexpected", self.language)

    def message_for(self, error: Exception) -> str:
        if isinstance(error, UserFacingError):
            return error.render(self.language, quote=escape_text)
        if isinstance(error, DatabaseUnavailable):
            log.warning("database unavailable while handling a request: %s", error)
            return t("error.database", self.language)
        log.error("unhandled error: %r", error, exc_info=error)
        return t("error.unexpected", self.language)

    def on_error(
        self,
        error: Exception,
        body: dict[str, Any],
        request: BoltRequest | None,
        respond: Any,
        response: BoltResponse | None,
    ) -> Any:
        body = body if isinstance(body, dict) else {}
        if isinstance(error, BoltUnhandledRequestError):
            return self.unhandled(body, request, respond)
        if self.metrics is not None:
            self.metrics.listener_error(body, error)
        self.tell(respond, body, request, self.message_for(error))
        if response is None or response.status < 500:
            return None
        if not self.signed_by_slack(request):  # failed before the signature check: not from Slack
            return BoltResponse(status=401, body="")
        # Slack only needs to know the request arrived: answering 200 avoids retries of a
        # request the user was already told about. Events keep the 500: Slack retries them later.
        if body.get("type") != "event_callback":
            return BoltResponse(status=200, body="")
        return None


def register(app: App, language: str, signing_secret: str | None, metrics: Metrics | None = None) -> None:
    app.error(ErrorReplies(language, signing_secret, metrics).on_error)
