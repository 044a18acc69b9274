"""A running bot: services, the Bolt app, the scheduler, and the server in front of them."""

from __future__ import annotations

import logging
import signal
import sys
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.ack_priority import AckPriority
from bot.app import create_app
from bot.clock import Clock
from bot.config import BehaviourConfig
from bot.database import Database
from bot.internals.socket_mode_close import close_socket_mode
from bot.internals.waitress_drain import serve_until
from bot.listener_pool import ListenerPool
from bot.services import Services, build_services
from bot.settings import Settings
from bot.slack.client import make_web_client
from bot.web import SLACK_PATH, WebApp
from knowledge.search import KnowledgeIndex
from scheduler.runner import build_scheduler

log = logging.getLogger(__name__)

# How long SIGTERM waits for requests in progress; below the 30 s stop_grace_period in compose.yaml.
DRAIN_TIMEOUT = 20.0
# The health endpoints of Socket Mode answer in milliseconds: a short drain is plenty.
HEALTH_DRAIN_TIMEOUT = 2.0
# Listeners doing their work at once (see ListenerPool). Opening a case costs about 3 ms of CPU, most of it in
# the interpreter, and a listener opens the waiting ones in batches (benchmarks/pipeline_bench.py): on two
# cores more than 4 at once opens cases no faster and only takes the interpreter away from the acks.
LISTENER_WORK_SLOTS = 4
# How often CPython hands the interpreter lock to another thread that wants it (5 ms by default). An ack
# waits for the intake's commit, and the thread that wakes from it then waits for the lock: under load,
# several such waits per request (benchmarks/load_bench.py measured the difference).
SWITCH_INTERVAL = 0.001


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
        # Work after an ack (listeners', the intake job's) yields to the acks of the HTTP front (wsgi).
        self.priority = AckPriority()
        self.listeners = ListenerPool(work_slots=LISTENER_WORK_SLOTS, priority=self.priority)
        self.services.intake.pace = self.priority.wait_turn
        self.app: App = create_app(
            self.services,
            self.client,
            signing_secret=settings.slack_signing_secret,
            process_before_response=process_before_response,
            verify_token=verify_token,
            listeners=self.listeners,
        )
        self.scheduler = build_scheduler(self.services)
        self._draining = threading.Event()
        self._stopped = threading.Event()
        self._socket_connected: Callable[[], bool] | None = None  # Socket Mode: is the WebSocket up?

    # --- health ---------------------------------------------------------------------------

    def readiness(self) -> tuple[bool, dict[str, Any]]:
        database = self.services.db.ping()
        knowledge = len(self.services.index.entries) > 0
        details: dict[str, Any] = {
            "database": "ok" if database else "unreachable",
            "knowledge_entries": len(self.services.index.entries),
            "faq_embeddings": self.services.index.embeddings_state,  # warming: answered lexically meanwhile
        }
        ready = database and knowledge
        if self._socket_connected is not None:
            connected = self._socket_connected()
            details["socket_mode"] = "connected" if connected else "disconnected"
            ready = ready and connected
        return ready, details

    def wsgi(self, *, accept_slack: bool = True) -> WebApp:
        """The HTTP surface; without `accept_slack`, only /healthz, /readyz and /metrics (Socket Mode)."""
        return WebApp(
            self.app,
            self.readiness,
            draining=self._draining.is_set,
            accept_slack=accept_slack,
            metrics=self.services.metrics.exposition,
            priority=self.priority,
        )

    # --- lifecycle --------------------------------------------------------------------------

    def start_scheduler(self) -> None:
        """Start the jobs, and run each once now: after a restart (a deploy, a crash) the sweep and the
        outbox catch up at once instead of an interval later, and a crash loop cannot starve them."""
        if self.scheduler.running:
            return
        self.scheduler.start()
        now = datetime.now(UTC)
        for job in self.scheduler.get_jobs():
            job.modify(next_run_time=now)

    def stop(self) -> None:
        """Stop taking work, let running jobs finish, close the pool."""
        if self._stopped.is_set():
            return
        self._stopped.set()
        self._draining.set()
        if self.scheduler.running:
            self.scheduler.shutdown(wait=True)
        self.listeners.shutdown(wait=True)
        self.services.close()

    def wait_idle(self, timeout: float = 5.0) -> bool:
        """Wait until the listeners of every request received so far have finished (tests, console)."""
        return self.listeners.wait_idle(timeout)

    def serve_http(
        self,
        *,
        host: str = "0.0.0.0",
        port: int | None = None,
        threads: int | None = None,
        drain_timeout: float = DRAIN_TIMEOUT,
    ) -> None:
        """Serve HTTP with waitress until SIGTERM/SIGINT, then shut down gracefully.

        On the signal: /readyz turns 503, the listening socket closes (the load balancer sends no more),
        requests already received are answered, idle keep-alive connections are closed; then the
        scheduler, the listeners still working after their ack, and the pool are stopped in turn.
        """
        server = self._http_server(self.wsgi(), host, port, threads or self.settings.web_threads)
        interval = sys.getswitchinterval()
        sys.setswitchinterval(SWITCH_INTERVAL)
        self.start_scheduler()
        previous = self._on_stop_signals("finishing current requests and stopping")
        log.info("supportbot listening on http://%s:%s%s", host, server.effective_port, SLACK_PATH)
        try:
            serve_until(server, self._draining, drain_timeout)
        finally:
            _restore(previous)
            sys.setswitchinterval(interval)
            self.stop()
            log.info("supportbot stopped")

    def serve_socket_mode(self, *, host: str = "0.0.0.0", port: int | None = None) -> None:
        """Socket Mode: Slack pushes over a WebSocket; no public URL needed. One process only.

        /healthz, /readyz and /metrics are served on `port` (PORT) all the same, for the container's health
        check, the platform and Prometheus; /readyz also says whether the WebSocket is connected. Slack
        requests over HTTP are not accepted in this mode.
        """
        from slack_bolt.adapter.socket_mode import SocketModeHandler

        handler = SocketModeHandler(self.app, self.settings.slack_app_token)
        self._socket_connected = handler.client.is_connected
        health = self._http_server(self.wsgi(accept_slack=False), host, port, threads=2)
        health_thread = threading.Thread(
            target=serve_until, args=(health, self._draining, HEALTH_DRAIN_TIMEOUT), name="health", daemon=True
        )
        health_thread.start()
        self.start_scheduler()
        previous = self._on_stop_signals("disconnecting")
        try:
            handler.connect()
            log.info("supportbot connected to Slack in Socket Mode")
            log.info(
                "health checks on http://%s:%s/healthz and /readyz, metrics on /metrics", host, health.effective_port
            )
            self._draining.wait()
        finally:
            _restore(previous)
            self._draining.set()
            close_socket_mode(handler)
            health_thread.join(timeout=HEALTH_DRAIN_TIMEOUT + 5)
            self.stop()
            log.info("supportbot stopped")

    def _http_server(self, app: WebApp, host: str, port: int | None, threads: int) -> Any:
        from waitress.server import create_server

        return create_server(
            app,
            host=host,
            port=port if port is not None else self.settings.port,
            threads=threads,
            ident="supportbot",
            max_request_body_size=2 * 1024 * 1024,
            channel_timeout=30,
        )

    def _on_stop_signals(self, doing: str) -> dict[int, Any]:
        """SIGTERM/SIGINT start the drain; returns the previous handlers."""

        def on_signal(signum: int, _frame: Any) -> None:
            # Only set a flag: the serving loops notice within a tick. Closing sockets here, under a running
            # loop, would kill it with EBADF and cut off the requests in progress.
            log.info("received %s: %s", signal.Signals(signum).name, doing)
            self._draining.set()

        return {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}


def _restore(previous: dict[int, Any]) -> None:
    for sig, handler in previous.items():
        signal.signal(sig, handler)
