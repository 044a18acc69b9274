"""Files in the fake Slack: the upload flow of slack-sdk's `files_upload_v2`.

`files.getUploadURLExternal` hands out a file id and an upload URL on the fake's own server; the
bytes are POSTed there (not a Web API method: not recorded for the conformance check); then
`files.completeUploadExternal` shares the uploaded files, posting one message to the channel (or
thread) with `initial_comment` as its text — as Slack does.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bot.devtools.web_api import SlackError

if TYPE_CHECKING:
    from bot.devtools.fake_workspace import FakeWorkspace

UPLOAD_PATH = "/upload/"


@dataclass
class FakeFile:
    id: str
    filename: str
    length: int
    alt_txt: str | None
    data: bytes | None = None  # None until the bytes are POSTed to the upload URL
    title: str | None = None
    shared_to: list[str] = field(default_factory=list)  # channels it was shared to
    shares: dict[str, list[dict[str, str]]] = field(default_factory=dict)  # channel → [{"ts": the message}]

    def public(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.filename,
            "title": self.title or self.filename,
            "alt_txt": self.alt_txt,
            "size": len(self.data or b""),
            "mimetype": "image/png" if self.filename.endswith(".png") else "application/octet-stream",
            "shares": {"public": self.shares} if self.shares else {},
        }


class FakeFiles:
    def __init__(self, workspace: FakeWorkspace) -> None:
        self.workspace = workspace
        self.base_url = ""  # the fake's root URL, set when its server starts
        self.by_id: dict[str, FakeFile] = {}

    def methods(self) -> dict[str, Any]:
        return {
            "files.getUploadURLExternal": self.get_upload_url,
            "files.completeUploadExternal": self.complete_upload,
        }

    def get_upload_url(self, args: dict[str, Any]) -> dict[str, Any]:
        filename, length = str(args.get("filename") or ""), str(args.get("length") or "")
        if not filename or not length.isdigit():
            raise SlackError("invalid_arguments")
        file_id = f"F{next(self.workspace._ids):08d}"
        self.by_id[file_id] = FakeFile(file_id, filename, int(length), args.get("alt_txt") or None)
        return {"ok": True, "upload_url": f"{self.base_url}{UPLOAD_PATH}{file_id}", "file_id": file_id}

    def receive(self, file_id: str, data: bytes) -> bool:
        """The bytes POSTed to an upload URL; False for a URL that was never handed out."""
        found = self.by_id.get(file_id)
        if found is None:
            return False
        found.data = data
        return True

    def complete_upload(self, args: dict[str, Any]) -> dict[str, Any]:
        raw = args.get("files")
        items = json.loads(raw) if isinstance(raw, str) else raw
        if not isinstance(items, list) or not items:
            raise SlackError("invalid_arguments")
        files = []
        for item in items:
            found = self.by_id.get(str(item.get("id")))
            if found is None or found.data is None:
                raise SlackError("file_not_found")
            found.title = item.get("title") or found.filename
            files.append(found)
        channel = args.get("channel_id")
        if channel:
            self._share(self.workspace.channel_of(args, "channel_id"), files, args)
        return {"ok": True, "files": [f.public() for f in files]}

    def _share(self, channel: str, files: list[FakeFile], args: dict[str, Any]) -> None:
        message = {
            "type": "message",
            "user": self.workspace.bot_user_id,
            "bot_id": self.workspace.bot_id,
            "team": self.workspace.team_id,
            "text": args.get("initial_comment") or "",
            "files": [{**f.public(), "shares": {}} for f in files],
            "upload": True,
        }
        stored = self.workspace.store._store(channel, message, thread_ts=args.get("thread_ts") or None)
        for f in files:
            f.shared_to.append(channel)
            f.shares.setdefault(channel, []).append({"ts": stored["ts"]})

    def forget(self) -> None:
        self.by_id.clear()
