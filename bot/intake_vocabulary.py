"""The intake table's words (bot/intake.py): what a recorded request asks, where it stands, where it came from.

Stored values: they never change, so rows written by an earlier version are still carried out."""

from __future__ import annotations

from enum import StrEnum


class IntakeKind(StrEnum):
    CASE_OPEN = "case.open"


class IntakeState(StrEnum):
    PENDING = "pending"
    DONE = "done"  # carried out: the case exists
    REFUSED = "refused"  # the request cannot be carried out (e.g. a title too long); the person is told
    FAILED = "failed"  # failed MAX_ATTEMPTS times: in the log for an admin


class Source(StrEnum):
    DATABASE = "db"
    SPOOL = "spool"
