"""Messages of durable intake (issue 14): what a person is told about a request acknowledged while the
database was unreachable. Part of bot/i18n.py's catalogue."""

from __future__ import annotations

INTAKE_MESSAGES: dict[str, dict[str, str]] = {
    "intake.queued": {
        "ja": "受け付けました。システム復旧後にケースを起票し、番号をお知らせします。",
        "en": "Received. We'll open the case as soon as the system has recovered and tell you its number.",
    },
    "intake.opened_late": {
        "ja": "{received} に受け付けたケースです (システム障害のため起票が遅れました。初期対応の目標は受付時刻から数えます)。",
        "en": "Received at {received} (opened late because of a system outage; the target counts from then).",
    },
    "intake.page_received": {
        "ja": "受付: {received} (システム障害のため起票が遅れました。初期対応の目標は受付時刻から数えます)",
        "en": "Received at {received} (opened late because of a system outage; the target counts from then).",
    },
    "intake.unavailable": {
        "ja": "一時的に受け付けできませんでした。もう一度お試しください。",
        "en": "Couldn't take that just now. Please try again.",
    },
}
