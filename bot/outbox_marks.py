"""Recording deliveries: many messages marked sent in one statement (bot/outbox.py).

A delivery is recorded in a transaction of its own, after Slack answered. One transaction and one
UPDATE per message was most of a case's delivery cost, so the outbox records the posts Slack can be
asked about again (a message with metadata: `RECORDED_LATER`) together — after the next message it
cannot record later, or at the end of the batch. A post that was sent but not yet recorded when the
process died is only "sending"; once its claim expires it is looked up in Slack before it is sent
again, so deferring its record never posts it twice.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import bindparam, text
from sqlmodel import Session

from bot.database import is_postgres
from bot.models import UTCDateTime
from bot.notify import Delivered
from bot.outbox_kinds import OutboxKind

# Posts that carry the outbox id in their metadata and that nothing else waits to see recorded
# within the same batch: a new case's card (its thread lines and updates are delivered after it).
RECORDED_LATER = frozenset({OutboxKind.CASE_CARD})

_PG_SENT = text(
    """
    UPDATE outbox SET state = 'sent', sent_channel = v.channel, sent_ts = v.ts, sent_at = :now,
                      claimed_by = NULL, last_error = NULL, attempts = outbox.attempts + 1
    FROM json_to_recordset(CAST(:rows AS json)) AS v(id integer, channel text, ts text)
    WHERE outbox.id = v.id AND outbox.claimed_by = :worker AND outbox.state = 'sending'
    RETURNING outbox.id
    """
)
_SQLITE_SENT = text(
    """
    UPDATE outbox SET state = 'sent', sent_channel = json_extract(v.value, '$.channel'),
                      sent_ts = json_extract(v.value, '$.ts'), sent_at = :now,
                      claimed_by = NULL, last_error = NULL, attempts = outbox.attempts + 1
    FROM json_each(:rows) AS v
    WHERE outbox.id = json_extract(v.value, '$.id') AND outbox.claimed_by = :worker AND outbox.state = 'sending'
    RETURNING outbox.id
    """
).bindparams(bindparam("now", type_=UTCDateTime()))


def mark_sent(session: Session, sent: Sequence[tuple[int, Delivered]], worker: str, now: datetime) -> set[int]:
    """Record Slack's answers (outbox id, where it landed) for messages `worker` claimed, in one statement;
    the ids recorded (a message another worker took over meanwhile is not: its result stands)."""
    if not sent:
        return set()
    rows = [{"id": message_id, "channel": d.channel, "ts": d.ts} for message_id, d in sent]
    statement = _PG_SENT if is_postgres(session) else _SQLITE_SENT
    result = session.execute(statement, {"rows": json.dumps(rows), "now": now, "worker": worker})
    return {int(i) for i in result.scalars()}
