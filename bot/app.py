"""The Bolt app factory: one app, whatever runs it (HTTP server, Socket Mode, console, tests)."""

from __future__ import annotations

import logging

from slack_bolt import App
from slack_sdk import WebClient

import handlers
from bot.internals.bolt_ack import pace_listeners
from bot.listener_pool import ListenerPool
from bot.metrics import MeteredNotifier
from bot.services import Services
from bot.slack.desk import Desk
from bot.slack.directory import ExternalUsers, UsergroupMembers
from bot.slack.metering import MeteredApp
from bot.slack.notifier import SlackNotifier
from bot.slack.renderers import all_renderers
from bot.slack.report_blocks import digest_renderers

log = logging.getLogger(__name__)


def create_app(
    services: Services,
    client: WebClient,
    *,
    signing_secret: str | None,
    process_before_response: bool = False,
    verify_token: bool = True,
    listeners: ListenerPool,
) -> App:
    """Build the app and wire the outbox to Slack through the same client.

    `client` comes from `bot.slack.client.make_web_client`, so every call has the retry handlers.
    `listeners` runs the listeners (the caller keeps it, to wait for them and to stop them).
    """
    pool = listeners
    app = MeteredApp(
        name="supportbot",  # without it Bolt names the app after its caller's file with inspect.stack(): 60 ms a build
        metrics=services.metrics,
        client=client,
        signing_secret=signing_secret,
        process_before_response=process_before_response,
        token_verification_enabled=verify_token,
        request_verification_enabled=signing_secret is not None,
        # Requests no listener matches go to handlers/errors.py: a polite word instead of a 404.
        raise_error_for_unhandled_request=True,
        listener_executor=pool,
        logger=logging.getLogger("slack_bolt"),
    )

    pace_listeners(app, pool, process_before_response=process_before_response)
    desk = Desk.from_config(services.config, services.sla.rules.targets)
    renderers = all_renderers(services.index, services.cases, services.clock, desk, client, services.teaching.drafts)
    renderers.update(digest_renderers(services.reports, desk.language))
    services.attach_notifier(MeteredNotifier(SlackNotifier(client, renderers), services.metrics))
    services.agents.group_members = UsergroupMembers(client)
    services.agents.external = ExternalUsers(client)
    handlers.register_all(app, services)
    return app
