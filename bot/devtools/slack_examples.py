"""The README's examples of reporting in Slack, made by the real app against the fake Slack, from the
deterministic sample data (bot/reports/sample.py) as of Friday 2026-11-13 10:30 in Tokyo:

    python -m bot.devtools.slack_examples --out docs

writes `app-home-example.txt` (the agent's App Home, rendered as text from the view the bot
published), `case-stats-example.txt` (what `/case stats` answers) and `digest-example.txt` / `.png`
(the weekly digest: its message, the chart's alt text, and the chart uploaded with files_upload_v2).
"""

from __future__ import annotations

import argparse
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from slack_bolt import BoltRequest
from sqlalchemy import update
from sqlmodel import col

from bot.clock import ManualClock
from bot.config import load_default_behaviour
from bot.database import Database
from bot.devtools.console_output import name_of
from bot.devtools.fake_slack import FakeSlack
from bot.devtools.render_text import TextRenderer, mrkdwn_to_text
from bot.devtools.signing import event_body, signed_headers, slash_command_body
from bot.migrate import upgrade_database
from bot.models import Case
from bot.reports.rules import ReportRules
from bot.reports.sample import sample_history
from bot.runtime import Runtime
from bot.settings import Settings

NOW = datetime(2026, 11, 13, 1, 30, tzinfo=UTC)  # Friday 10:30 in Tokyo; the digest due is 11/02–11/08's
SAMPLE_DAYS = 32  # the sample's cases and questions up to the day before (10/12–11/12)
SECRET = "examples-signing-secret"
REPORTS_CHANNEL = "C0REPORTS"


class Examples:
    def __init__(self, folder: Path) -> None:
        base = load_default_behaviour()
        self.config = base.model_copy(
            update={"reports": base.reports.model_copy(update={"digest_channel": REPORTS_CHANNEL})}
        )
        self.agent = self.config.agents.users[0]
        self.fake = FakeSlack(record=None).start()
        self.clock = ManualClock(NOW)
        self.fake.ts_clock = lambda: self.clock.now().timestamp()
        url = f"sqlite:///{folder / 'examples.db'}"
        upgrade_database(url)
        self.db = Database(url)
        sample_history(ReportRules.from_config(self.config), days=SAMPLE_DAYS).write(self.db)
        with self.db.transaction() as session:  # the sample records no 担当者: whoever answered, as an ack does
            session.execute(update(Case).values(assignee_id=col(Case.first_response_by)))
        settings = Settings(
            slack_bot_token="xoxb-examples",
            slack_signing_secret=SECRET,
            slack_api_base_url=self.fake.base_url,
            database_url=url,
        )
        self.runtime = Runtime(settings, self.config, clock=self.clock, db=self.db, process_before_response=True)
        self.text = TextRenderer(name_of=lambda ident: name_of(self.config, ident, "U0NOBODY", "C0GENERAL"))

    def close(self) -> None:
        self.runtime.stop()
        self.fake.stop()
        self.db.dispose()

    def _dispatch(self, body: str) -> None:
        response = self.runtime.app.dispatch(BoltRequest(body=body, headers=dict(signed_headers(body, SECRET))))
        if response.status != 200:
            raise RuntimeError(f"the app answered HTTP {response.status}: {response.body}")

    def app_home(self) -> str:
        event = {"type": "app_home_opened", "user": self.agent, "channel": "D" + self.agent, "tab": "home"}
        self._dispatch(event_body({**event, "event_ts": f"{NOW.timestamp():.6f}"}))
        (view,) = [c.args["view"] for c in self.fake.calls("views.publish")][-1:]
        lines = self.text.blocks(view["blocks"])
        return f"App Home of @agent ({len(view['blocks'])} blocks)\n\n" + "\n".join(lines) + "\n"

    def case_stats(self) -> str:
        url = self.fake.new_response_url()
        body = slash_command_body("/case", "stats", user_id=self.agent, channel_id="C0FAQ", response_url=url)
        self._dispatch(body)
        (answer,) = [c.args for c in self.fake.calls("response_url") if c.args["_url"] == url]
        return "/case stats (ephemeral)\n\n" + "\n".join(self.text.blocks(answer["blocks"])) + "\n"

    def digest(self) -> tuple[str, bytes]:
        self.runtime.services.digest.run()
        (message,) = [m for m in self.fake.messages(REPORTS_CHANNEL) if m.get("files")]
        upload = self.fake.files.by_id[message["files"][0]["id"]]
        text = mrkdwn_to_text(message["text"])
        shown = f"#reports: {upload.filename} ({upload.title})\nalt text: {upload.alt_txt}\n\n{text}\n"
        return shown, upload.data or b""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.devtools.slack_examples", description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("docs"), help="folder to write the examples to")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="supportbot-examples-") as scratch:
        examples = Examples(Path(scratch))
        try:
            written: dict[str, Any] = {
                "app-home-example.txt": examples.app_home(),
                "case-stats-example.txt": examples.case_stats(),
            }
            text, png = examples.digest()
            written["digest-example.txt"], written["digest-example.png"] = text, png
        finally:
            examples.close()
    for name, content in written.items():
        path = args.out / name
        path.write_bytes(content) if isinstance(content, bytes) else path.write_text(content, encoding="utf-8")
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
