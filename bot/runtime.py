"""A running bot: services, the Bolt app, the scheduler, and the server in front of them."""

from __future__ import annotations

import contextlib
import logging
import signal
import socket
import threading
import time
from datetime import UTC, datetime
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.app import create_app
from bot.clock import Clock
from bot.config import BehaviourConfig, Settings
from bot.database import Database
from bot.listener_pool import ListenerPool
from bot.services import Services, build_services
from bot.slack.client import make_web_client
from bot.web import WebApp
from knowledge.search import KnowledgeIndex
from scheduler.runner import build_scheduler

log = logging.getLogger(__name__)

# How long SIGTERM waits for requests in progress; below the 30 s stop_grace_period in compose.yaml.
DRAIN_TIMEOUT = 20.0
# waitress's loop runs one poll at a time so that a signal is noticed within this many seconds.
LOOP_TICK = 0.25


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
        pool = self._listener_pool()
        if pool is not None:
            pool.shutdown(wait=True)
        self.services.close()

    def _listener_pool(self) -> Any:
        runner = getattr(self.app, "_listener_runner", None)
        return getattr(runner, "listener_executor", None)

    def wait_idle(self, timeout: float = 5.0) -> bool:
        """Wait until the listeners of every request received so far have finished (tests, console)."""
        pool = self._listener_pool()
        return pool.wait_idle(timeout) if isinstance(pool, ListenerPool) else True

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
            # Only set a flag: the loop notices within LOOP_TICK. Closing sockets here, under the running
            # loop, would kill it with EBADF and cut off the requests in progress.
            log.info("received %s: finishing current requests and stopping", signal.Signals(signum).name)
            self._draining.set()

        previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
        log.info("supportbot listening on http://%s:%s%s", host, server.effective_port, "/slack/events")
        try:
            _serve_until(server, self._draining, drain_timeout)
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
            _close_socket_mode(handler)
            self.stop()
            log.info("supportbot stopped")


def _close_socket_mode(handler: Any) -> None:
    """Disconnect without the wait: the built-in client's close() waits for its receiving thread's recv()
    to time out (up to 3 s); shutting the socket down first ends that recv at once. Messages being
    handled still finish (close() waits for its workers)."""
    client = handler.client
    client.closed = True  # what close() sets first: no reconnection when the socket ends
    client.auto_reconnect_enabled = False
    sock = getattr(getattr(client, "current_session", None), "sock", None)
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
    handler.close()


def _serve_until(server: Any, stop: threading.Event, drain_timeout: float) -> None:
    """Run waitress's loop until `stop` is set, then drain: answer what was received, close the rest.

    waitress's worker threads are daemons, so returning while one is busy would cut its request off.
    """
    from waitress import wasyncore
    from waitress.channel import HTTPChannel

    socket_map = server._map
    use_poll = server.adj.asyncore_use_poll
    while not stop.is_set():
        wasyncore.loop(timeout=LOOP_TICK, use_poll=use_poll, map=socket_map, count=1)
    # Stop taking connections; keep the trigger, which worker threads pull to get their answers written.
    wasyncore.dispatcher.close(server)
    deadline = time.monotonic() + drain_timeout
    while True:
        busy = 0
        for channel in list(socket_map.values()):
            if not isinstance(channel, HTTPChannel):
                continue
            with channel.requests_lock:
                if channel.requests or channel.request is not None or channel.total_outbufs_len:
                    busy += 1
                else:
                    channel.will_close = True  # an idle keep-alive connection: closed on the next poll
        if not any(isinstance(c, HTTPChannel) for c in socket_map.values()):
            break
        if time.monotonic() > deadline:
            log.warning("%d request(s) still in progress after %.0fs; closing them", busy, drain_timeout)
            break
        wasyncore.loop(timeout=LOOP_TICK, use_poll=use_poll, map=socket_map, count=1)
    server.task_dispatcher.shutdown(cancel_pending=True, timeout=5)
    wasyncore.close_all(socket_map)
