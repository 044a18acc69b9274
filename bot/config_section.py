"""The base of every `supportbot.toml` section: unknown keys are an error (a typo fails at start,
naming the key), and a loaded configuration does not change while the bot runs."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
