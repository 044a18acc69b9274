"""The Bolt app factory: one app, whatever runs it (HTTP server, Socket Mode, console, tests)."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor

from slack_bolt import App
from slack_sdk import WebClient

import handlers
from bot.services import Services
from bot.slack.directory import UsergroupMembers
from bot.slack.notifier import SlackNotifier
from bot.slack.renderers import all_renderers

log = logging.getLogger(__name__)


def create_app(
    services: Services,
    client: WebClient,
    *,
    signing_secret: str | None,
    process_before_response: bool = False,
    verify_token: bool = True,
    listener_threads: int = 10,
) -> App:
    """Build the app and wire the outbox to Slack through the same client.

    `client` comes from `bot.slack.client.make_web_client`, so every call has the retry handlers.
    """
    app = App(
        client=client,
        signing_secret=signing_secret,
        process_before_response=process_before_response,
        token_verification_enabled=verify_token,
        request_verification_enabled=signing_secret is not None,
        listener_executor=ThreadPoolExecutor(max_workers=listener_threads, thread_name_prefix="listener"),
        logger=logging.getLogger("slack_bolt"),
    )
    services.attach_notifier(SlackNotifier(client, all_renderers(services, client)))
    services.agents.group_members = UsergroupMembers(client)
    handlers.register_all(app, services)
    return app
