"""A running bot: services, the Bolt app, the scheduler, and the server in front of them."""

from __future__ import annotations

import logging
import signal
import threading
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.app import create_app
from bot.clock import Clock
from bot.config import BehaviourConfig, Settings
from bot.database import Database
from bot.services import Services, build_services
from bot.slack.client import make_web_client
from bot.web import WebApp
from knowledge.search import KnowledgeIndex
from scheduler.runner import build_scheduler

log = logging.getLogger(__name__)


class Runtime:
    def __init__(
        self,
        settings: Settings,
        config: BehaviourConfig,
        *,
        clock: Clock | None = None,
        db: Database | None = None,
        index: KnowledgeIndex | None = None,
        client: WebClient | None = None,
        process_before_response: bool = False,
        verify_token: bool = True,
    ) -> None:
        self.settings = settings
        self.services: Services = build_services(settings, config, clock=clock, db=db, index=index)
        self.client = client or make_web_client(settings.slack_bot_token, settings.slack_api_base_url)
        self.app: App = create_app(
            self.services,
            self.client,
            signing_secret=settings.slack_signing_secret,
            process_before_response=process_before_response,
            verify_token=verify_token,
        )
        self.scheduler = build_scheduler(self.services)
        self._draining = threading.Event()
        self._stopped = threading.Event()

    # --- health ---------------------------------------------------------------------------

    def readiness(self) -> tuple[bool, dict[str, Any]]:
        database = self.services.db.ping()
        knowledge = len(self.services.index.entries) > 0
        return database and knowledge, {
            "database": "ok" if database else "unreachable",
            "knowledge_entries": len(self.services.index.entries),
        }

    def wsgi(self) -> WebApp:
        return WebApp(self.app, self.readiness, draining=self._draining.is_set)

    # --- lifecycle --------------------------------------------------------------------------

    def start_scheduler(self) -> None:
        if not self.scheduler.running:
            self.scheduler.start()

    def stop(self) -> None:
        """Stop taking work, let running jobs finish, close the pool."""
        if self._stopped.is_set():
            return
        self._stopped.set()
        self._draining.set()
        if self.scheduler.running:
            self.scheduler.shutdown(wait=True)
        executor = getattr(self.app, "_listener_runner", None)
        pool = getattr(executor, "listener_executor", None)
        if pool is not None:
            pool.shutdown(wait=True)
        self.services.close()

    def serve_http(self, *, host: str = "0.0.0.0", port: int | None = None, threads: int | None = None) -> None:
        """Serve HTTP with waitress until SIGTERM/SIGINT, then shut down gracefully."""
        from waitress.server import create_server

        server = create_server(
            self.wsgi(),
            host=host,
            port=port if port is not None else self.settings.port,
            threads=threads or self.settings.web_threads,
            ident="supportbot",
            max_request_body_size=2 * 1024 * 1024,
            channel_timeout=30,
        )
        self.start_scheduler()

        def on_signal(signum: int, _frame: Any) -> None:
            log.info("received %s: finishing current requests and stopping", signal.Signals(signum).name)
            self._draining.set()
            server.close()

        previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
        log.info("supportbot listening on http://%s:%s%s", host, server.effective_port, "/slack/events")
        try:
            server.run()
        except OSError:
            if not self._draining.is_set():
                raise
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            self.stop()
            log.info("supportbot stopped")

    def serve_socket_mode(self) -> None:
        """Socket Mode: Slack pushes over a WebSocket; no public URL needed. One process only."""
        from slack_bolt.adapter.socket_mode import SocketModeHandler

        handler = SocketModeHandler(self.app, self.settings.slack_app_token)
        self.start_scheduler()
        stop = threading.Event()

        def on_signal(signum: int, _frame: Any) -> None:
            log.info("received %s: disconnecting", signal.Signals(signum).name)
            stop.set()

        previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            handler.connect()
            log.info("supportbot connected to Slack in Socket Mode")
            stop.wait()
        finally:
            for sig, old in previous.items():
                signal.signal(sig, old)
            self._draining.set()
            handler.close()
            self.stop()
            log.info("supportbot stopped")
