"""Slack integration: Web API clients, message formatting, and the fake Slack used by tests and the console."""
