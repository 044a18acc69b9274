"""The fake Slack's file upload flow, driven by slack-sdk's own files_upload_v2."""

from __future__ import annotations

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.devtools.fake_slack import UPLOAD_CALL, FakeSlack


def test_files_upload_v2_shares_the_bytes_with_the_comment_and_alt_text() -> None:
    with FakeSlack(record=None) as fake:
        client = WebClient(token="xoxb-test", base_url=fake.base_url)
        done = client.files_upload_v2(
            channel="C0REPORTS",
            file=b"\x89PNG...",
            filename="chart.png",
            title="週次",
            alt_txt="グラフ",
            initial_comment="本文",
        )
        (message,) = fake.messages("C0REPORTS")
        assert message["text"] == "本文" and message["files"][0]["name"] == "chart.png"
        stored = fake.files.by_id[done["file"]["id"]]
        assert stored.data == b"\x89PNG..." and stored.alt_txt == "グラフ" and stored.title == "週次"
        assert done["file"]["shares"]["public"]["C0REPORTS"][0]["ts"] == message["ts"]
        assert [c.method for c in fake.calls()] == [
            "files.getUploadURLExternal",
            UPLOAD_CALL,
            "files.completeUploadExternal",
        ]


def test_a_file_whose_bytes_never_arrived_cannot_be_shared() -> None:
    with FakeSlack(record=None) as fake:
        client = WebClient(token="xoxb-test", base_url=fake.base_url)
        started = client.files_getUploadURLExternal(filename="chart.png", length=3)
        with pytest.raises(SlackApiError, match="file_not_found"):
            client.files_completeUploadExternal(files=[{"id": started["file_id"]}], channel_id="C0REPORTS")
        assert fake.messages("C0REPORTS") == []
