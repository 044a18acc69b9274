"""What the domain needs from a chat backend: deliver one outbox message, and say how it went.

The services and the scheduler only see this protocol; the Slack implementation lives in
`bot.slack.notifier`, and tests use a recording fake.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.models import OutboxMessage


class DeliveryError(Exception):
    """Base class: the message was not (knowingly) delivered."""


class NotReady(DeliveryError):
    """Something it depends on has not been delivered yet (e.g. the case card); try again shortly."""


class TransientDeliveryError(DeliveryError):
    """Certainly not delivered (rate limited, refused connection); safe to send again later."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class UncertainDelivery(DeliveryError):
    """May have been delivered (timeout, 5xx after sending): check before sending again."""


class Obsolete(DeliveryError):
    """No longer worth sending (a page for a case someone answered while it waited): dropped, not failed."""


class PermanentDeliveryError(DeliveryError):
    """Will not succeed by retrying (unknown channel, bot not invited, invalid message)."""


@dataclass(frozen=True)
class Delivered:
    channel: str | None = None
    ts: str | None = None


class Notifier(Protocol):
    def deliver(self, message: OutboxMessage, *, verify: bool) -> Delivered:
        """Send `message`. With `verify`, a previous attempt may have landed: look for it first."""
        ...
