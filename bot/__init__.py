"""supportbot: a Slack bot for first-line customer support."""

__version__ = "0.1.0"
