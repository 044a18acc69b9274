"""The real app over HTTP, against the fake Slack: what end-to-end tests drive."""

from __future__ import annotations

import json
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.clock import Clock
from bot.config import BehaviourConfig, parse_behaviour
from bot.database import Database
from bot.devtools.fake_slack import FakeSlack
from bot.devtools.recording import signing_of
from bot.devtools.signing import event_body, interactivity_body, signed_headers, slash_command_body
from bot.internals.waitress_drain import close_from_loop
from bot.runtime import Runtime
from bot.settings import Settings
from knowledge.search import KnowledgeIndex

SIGNING_SECRET = "test-signing-secret"
BOT_TOKEN = "xoxb-test-token"

BASE_CONFIG: dict[str, Any] = {
    "language": "ja",
    "channels": {"cases": "C0CASES", "emergency": "C0EMERG", "faq": ["C0FAQ"]},
    "agents": {"users": ["U0AGENT"], "usergroups": ["S0AGENTS"]},
    "escalation": {"cs_lead": "U0LEAD", "engineers": "S0ENG"},
    "oncall": {"rotation": ["U0ONCALL1", "U0ONCALL2"], "handoff": "mon 10:00"},
    # lexical only: the embeddings are computed in a background thread, and what a test sees must
    # not depend on whether they are ready (tests/knowledge/test_dense.py covers them, with a fake model)
    "faq": {"dense": "off"},
}


def make_config(**sections: Any) -> BehaviourConfig:
    """The test configuration, with sections replaced or extended by keyword (e.g. faq={...})."""
    data = json.loads(json.dumps(BASE_CONFIG))
    for key, value in sections.items():
        if isinstance(value, dict) and isinstance(data.get(key), dict):
            data[key].update(value)
        else:
            data[key] = value
    from pathlib import Path

    return parse_behaviour(data, "test config", Path("."))


def make_settings(fake: FakeSlack, db: Database) -> Settings:
    return Settings(
        slack_bot_token=BOT_TOKEN,
        slack_signing_secret=SIGNING_SECRET,
        slack_api_base_url=fake.base_url,
        database_url=db.url,
        spool_dir=Path(tempfile.mkdtemp(prefix="supportbot-spool-")),  # an outage spools here, not in the checkout
    )


@dataclass
class HttpResponse:
    status: int
    body: str
    headers: dict[str, str]

    def json(self) -> Any:
        """The body as JSON; Bolt answers a plain `ack(text=...)` with bare text, returned as {"text": ...}."""
        if not self.body:
            return None
        try:
            return json.loads(self.body)
        except ValueError:
            return {"text": self.body}


def make_runtime(
    *,
    fake: FakeSlack,
    db: Database,
    clock: Clock,
    config: BehaviourConfig | None = None,
    index: KnowledgeIndex | None = None,
) -> Runtime:
    """The whole bot wired to the fake Slack, without an HTTP server (for service-level tests)."""
    fake.ts_clock = lambda: clock.now().timestamp()  # Slack's ts follow the app's clock
    return Runtime(make_settings(fake, db), config or make_config(), clock=clock, db=db, index=index)


class AppHarness:
    """Starts the production WSGI app (waitress, loopback, port 0) around a Runtime."""

    def __init__(
        self,
        *,
        fake: FakeSlack,
        db: Database,
        clock: Clock,
        config: BehaviourConfig | None = None,
        index: KnowledgeIndex | None = None,
    ) -> None:
        from waitress.server import create_server

        self.fake = fake
        self.runtime = make_runtime(fake=fake, db=db, clock=clock, config=config, index=index)
        self.server = create_server(self.runtime.wsgi(), host="127.0.0.1", port=0, threads=8, ident="test")
        self.url = f"http://127.0.0.1:{self.server.effective_port}"
        self._thread = threading.Thread(target=self.server.run, name="waitress", daemon=True)
        self._thread.start()

    @property
    def services(self) -> Any:
        return self.runtime.services

    def settle(self, timeout: float = 5.0) -> None:
        """Wait until the bot has finished reacting to every request sent so far."""
        assert self.runtime.wait_idle(timeout), f"listeners still running after {timeout}s"

    def stop(self) -> None:
        """Close the server from its own loop (closing it from here leaves waitress polling ~1 s)."""
        close_from_loop(self.server)
        self._thread.join(timeout=5)
        if self.runtime.scheduler.running:
            self.runtime.scheduler.shutdown(wait=False)

    # --- raw HTTP ---------------------------------------------------------------------------

    def request(
        self, path: str, *, body: str | bytes | None = None, headers: dict[str, str] | None = None, method: str = "POST"
    ) -> HttpResponse:
        data = body.encode() if isinstance(body, str) else body
        request = urllib.request.Request(self.url + path, data=data, method=method, headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return HttpResponse(response.status, response.read().decode(), dict(response.headers))
        except urllib.error.HTTPError as exc:
            return HttpResponse(exc.code, exc.read().decode(), dict(exc.headers))

    def post_signed(
        self, body: str, *, extra_headers: dict[str, str] | None = None, timestamp: int | None = None
    ) -> HttpResponse:
        headers = signed_headers(body, SIGNING_SECRET, timestamp=timestamp)
        headers.update(extra_headers or {})
        response = self.request("/slack/events", body=body, headers=headers)
        self.fake.record_ack(
            body,
            status=response.status,
            content_type=response.headers.get("Content-Type", ""),
            body=response.body,
            signing=signing_of(body, headers, SIGNING_SECRET),
        )
        return response

    # --- Slack payloads -------------------------------------------------------------------------

    def message(
        self,
        text: str,
        *,
        user: str = "U0CUSTOMER",
        channel: str = "C0FAQ",
        thread_ts: str | None = None,
        event_type: str = "message",
        ts: str | None = None,
        event_id: str | None = None,
        retry_num: int | None = None,
        **extra: Any,
    ) -> tuple[HttpResponse, dict[str, Any]]:
        """A person posts `text`: stored in the fake (as Slack would) and delivered as an event."""
        if ts is None:
            stored = self.fake.add_message(channel, text, user=user, thread_ts=thread_ts)
            ts = stored["ts"]
        event: dict[str, Any] = {
            "type": event_type,
            "channel": channel,
            "user": user,
            "text": text,
            "ts": ts,
            "event_ts": ts,
            "channel_type": "im" if channel.startswith("D") else "channel",
            **extra,
        }
        if thread_ts:
            event["thread_ts"] = thread_ts
        headers = {}
        if retry_num is not None:
            headers = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": "http_timeout"}
        response = self.post_signed(event_body(event, event_id=event_id), extra_headers=headers)
        return response, event

    def command(self, command: str, text: str = "", *, user: str = "U0AGENT", channel: str = "C0FAQ") -> HttpResponse:
        body = slash_command_body(
            command,
            text,
            user_id=user,
            channel_id=channel,
            response_url=self.fake.new_response_url(),
            trigger_id=f"trigger.{uuid.uuid4().hex[:10]}",
        )
        return self.post_signed(body)

    def action(self, payload: dict[str, Any]) -> HttpResponse:
        return self.post_signed(interactivity_body(payload))

    def click(
        self,
        *,
        action_id: str,
        value: str,
        user: str,
        channel: str,
        message: dict[str, Any],
        block_id: str = "",
    ) -> HttpResponse:
        """A person clicks a button on `message` (as stored in the fake)."""
        payload = {
            "type": "block_actions",
            "user": {"id": user, "username": user.lower(), "team_id": "T0TEAM"},
            "api_app_id": "A0APP",
            "team": {"id": "T0TEAM", "domain": "fake"},
            "trigger_id": f"trigger.{uuid.uuid4().hex[:10]}",
            "response_url": self.fake.new_response_url(),
            "container": {"type": "message", "message_ts": message["ts"], "channel_id": channel},
            "channel": {"id": channel, "name": channel.lower()},
            "message": message,
            "actions": [
                {
                    "type": "button",
                    "action_id": action_id,
                    "block_id": block_id,
                    "value": value,
                    "action_ts": f"{time.time():.6f}",
                }
            ],
        }
        return self.action(payload)


def find_button(message: dict[str, Any], action_prefix: str) -> tuple[dict[str, Any], str]:
    """The first button whose action_id starts with `action_prefix`, with its block_id."""
    for block in message.get("blocks") or []:
        elements = list(block.get("elements") or [])
        if block.get("accessory"):
            elements.append(block["accessory"])
        for element in elements:
            if element.get("type") == "button" and str(element.get("action_id", "")).startswith(action_prefix):
                return element, block.get("block_id", "")
    raise AssertionError(
        f"no button {action_prefix!r} in {json.dumps(message.get('blocks'), ensure_ascii=False)[:500]}"
    )


def blocks_text(message: dict[str, Any]) -> str:
    """All text of a message's blocks, for assertions."""
    return json.dumps(message.get("blocks") or [], ensure_ascii=False) + (message.get("text") or "")
