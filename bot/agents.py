"""Who counts as a support agent: configured users, plus members of configured user groups — never
someone from another organisation (a Slack Connect user), whatever a user group says.

Who else may act on one case (the people paged or escalated to) is bot/access.py's rule."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Protocol

from bot.config import AgentsConfig


class AgentDirectory(Protocol):
    def is_agent(self, user_id: str) -> bool: ...


class ConfiguredAgents:
    """Agents from [agents]; user group members are looked up through `group_members` (cached by it)."""

    def __init__(
        self,
        config: AgentsConfig,
        group_members: Callable[[str], Iterable[str]] | None = None,
        external: Callable[[str], bool] | None = None,
    ) -> None:
        self.users = set(config.users)
        self.usergroups = list(config.usergroups)
        self.group_members = group_members
        self.external = external  # whether a user belongs to another organisation (bot/slack/directory.py)

    def is_agent(self, user_id: str) -> bool:
        if self.is_external(user_id):
            return False
        if user_id in self.users:
            return True
        return any(self.in_group(user_id, group) for group in self.usergroups)

    def is_external(self, user_id: str) -> bool:
        """A Slack Connect user (another organisation): a customer, never an agent (False while no lookup is wired)."""
        return self.external is not None and self.external(user_id)

    def in_group(self, user_id: str, usergroup: str) -> bool:
        """Whether the user is a member of the user group (False while no lookup is wired)."""
        if self.group_members is None:
            return False
        return user_id in set(self.group_members(usergroup))
