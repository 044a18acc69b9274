"""Named moments where the fault suite kills the process, as `kill -9` would (tests/e2e/test_faults.py).

`SUPPORTBOT_CRASH_AT=intake.opening:3` makes the process SIGKILL itself the third time it passes
`crash_point("intake.opening")`. Unset (always, in production) a crash point costs one attribute
read. The moments, where they are passed:

    intake.received   a recorded request, after its ack, before its case is opened (bot/intake.py)
    intake.opening    inside the transaction that opens the case, before it commits (bot/intake.py)
    outbox.committed  a case's change committed, before anything is sent for it (bot/outbox.py)
"""

from __future__ import annotations

import os
import signal
import threading
import time

_PLAN: tuple[str, int] | None = None
_passed: dict[str, int] = {}
_lock = threading.Lock()
# Time for the answer to Slack (the ack) to leave before the process dies, as it would at the same
# moment in a real crash.
FLUSH = 0.2


def _plan() -> tuple[str, int] | None:
    value = os.environ.get("SUPPORTBOT_CRASH_AT", "")
    point, _, count = value.partition(":")
    return (point, int(count or "1")) if point else None


_PLAN = _plan()


def crash_point(name: str) -> None:
    if _PLAN is None or _PLAN[0] != name:
        return
    with _lock:
        _passed[name] = _passed.get(name, 0) + 1
        if _passed[name] != _PLAN[1]:
            return
    time.sleep(FLUSH)
    os.kill(os.getpid(), signal.SIGKILL)
