"""The fake Slack Web API, driven by a real slack_sdk.WebClient the way the app drives Slack."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
import urllib.request
from collections.abc import Iterator, Sequence
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import builtin_handlers
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator
from slack_sdk.signature import SignatureVerifier

from bot.devtools.fake_slack import Call, FakeSlack
from bot.devtools.signing import event_body, interactivity_body, signed_headers, slash_command_body

METADATA = {"event_type": "supportbot_outbox", "event_payload": {"outbox_id": 42}}
# These tests drive the fake itself, with calls no bot would make (unknown methods, made-up ts, views
# without blocks): they are kept out of the session's conformance record.
UNRECORDED = None


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack(
        users={"U1": {"real_name": "山田 太郎", "profile": {"display_name": "yamada"}}},
        usergroups={"S1": ["U1", "U2"]},
        channel_members={"C1": ["UBOT", "U1"], "C2": ["U1"]},
        missing_channels={"CGONE"},
        record=UNRECORDED,
    ) as fake:
        yield fake


@pytest.fixture
def client(fake: FakeSlack) -> WebClient:
    """No retry handlers: each test sees exactly what the fake answered."""
    return WebClient(token="xoxb-test", base_url=fake.base_url, retry_handlers=[])


def error_of(excinfo: pytest.ExceptionInfo[SlackApiError]) -> tuple[int, str]:
    return excinfo.value.response.status_code, excinfo.value.response["error"]


# --------------------------------------------------------------------------- stateful answers


def test_auth_test_and_scopes_header(fake: FakeSlack, client: WebClient) -> None:
    response = client.auth_test()
    assert response["user_id"] == "UBOT"
    assert response["bot_id"] == "BBOT"
    assert response["team_id"] == "T0TEAM"
    assert "chat:write" in response.headers["x-oauth-scopes"].split(",")
    [call] = fake.calls("auth.test")
    assert call.token == "xoxb-test"
    assert call.headers["authorization"] == "Bearer xoxb-test"


def test_post_update_and_history_with_metadata(fake: FakeSlack, client: WebClient) -> None:
    first = client.chat_postMessage(channel="C1", text="受付しました", metadata=METADATA)
    second = client.chat_postMessage(channel="C1", blocks=[{"type": "divider"}], text="二件目")
    assert first["channel"] == "C1"
    assert first["message"]["metadata"] == METADATA
    assert first["message"]["user"] == "UBOT"
    assert float(second["ts"]) > float(first["ts"])

    updated = client.chat_update(channel="C1", ts=first["ts"], text="対応中です")
    assert (updated["ts"], updated["text"]) == (first["ts"], "対応中です")

    plain = client.conversations_history(channel="C1")["messages"]
    assert [m["ts"] for m in plain] == [second["ts"], first["ts"]]  # newest first
    assert "metadata" not in plain[1]
    full = client.conversations_history(channel="C1", include_all_metadata=True, oldest=first["ts"])
    assert [m["ts"] for m in full["messages"]] == [second["ts"]]  # oldest is exclusive
    full = client.conversations_history(channel="C1", include_all_metadata=True)
    assert full["messages"][1]["metadata"] == METADATA
    assert full["messages"][1]["text"] == "対応中です"
    assert fake.messages("C1")[0]["metadata"] == METADATA


def test_history_pages_with_a_cursor(fake: FakeSlack, client: WebClient) -> None:
    for n in range(3):
        client.chat_postMessage(channel="C1", text=f"m{n}")
    pages = [[m["text"] for m in page["messages"]] for page in client.conversations_history(channel="C1", limit=2)]
    assert pages == [["m2", "m1"], ["m0"]]


def test_form_encoded_blocks_are_decoded(fake: FakeSlack, client: WebClient) -> None:
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*至急*"}}]
    client.api_call("chat.postMessage", data={"channel": "C1", "blocks": json.dumps(blocks)})
    [call] = fake.calls("chat.postMessage")
    assert call.args["blocks"] == blocks
    assert fake.messages("C1")[0]["blocks"] == blocks


def test_thread_replies(fake: FakeSlack, client: WebClient) -> None:
    parent = fake.add_message("C1", "ログインできません", user="U1")
    client.chat_postMessage(channel="C1", thread_ts=parent["ts"], text="確認します")
    client.chat_postMessage(channel="C1", thread_ts=parent["ts"], text="解決しました")

    [top] = client.conversations_history(channel="C1")["messages"]
    assert (top["ts"], top["reply_count"]) == (parent["ts"], 2)
    replies = client.conversations_replies(channel="C1", ts=parent["ts"])["messages"]
    assert [m["text"] for m in replies] == ["ログインできません", "確認します", "解決しました"]
    assert [m["text"] for m in fake.messages("C1")] == ["ログインできません", "確認します", "解決しました"]
    with pytest.raises(SlackApiError) as excinfo:
        client.conversations_replies(channel="C1", ts="1.000001")
    assert error_of(excinfo) == (200, "thread_not_found")


def test_dm_by_user_id_and_conversations_open(fake: FakeSlack, client: WebClient) -> None:
    assert client.conversations_open(users="U1")["channel"]["id"] == "DU1"
    posted = client.chat_postMessage(channel="U1", text="こんにちは")
    assert posted["channel"] == "DU1"
    assert [m["text"] for m in fake.messages("DU1")] == ["こんにちは"]
    assert fake.messages("U1") == fake.messages("DU1")


def test_channel_errors_and_unknown_message(client: WebClient) -> None:
    with pytest.raises(SlackApiError) as excinfo:
        client.chat_postMessage(channel="CGONE", text="x")
    assert error_of(excinfo) == (200, "channel_not_found")
    with pytest.raises(SlackApiError) as excinfo:
        client.chat_update(channel="C1", ts="1.000001", text="x")
    assert error_of(excinfo) == (200, "message_not_found")


def test_ephemeral_is_recorded_not_stored(fake: FakeSlack, client: WebClient) -> None:
    response = client.chat_postEphemeral(channel="C1", user="U1", text="あなただけに表示")
    assert response["message_ts"]
    assert fake.messages("C1") == []
    assert fake.calls("chat.postEphemeral")[0].args["user"] == "U1"


def test_permalink_delete_and_reactions(fake: FakeSlack, client: WebClient) -> None:
    ts = client.chat_postMessage(channel="C1", text="x")["ts"]
    link = client.chat_getPermalink(channel="C1", message_ts=ts)["permalink"]
    assert link == f"https://fake.slack.com/archives/C1/p{ts.replace('.', '')}"
    client.reactions_add(channel="C1", timestamp=ts, name="eyes")
    assert fake.messages("C1")[0]["reactions"] == [{"name": "eyes", "users": ["UBOT"], "count": 1}]
    with pytest.raises(SlackApiError) as excinfo:
        client.reactions_add(channel="C1", timestamp=ts, name="eyes")
    assert error_of(excinfo) == (200, "already_reacted")
    client.chat_delete(channel="C1", ts=ts)
    assert fake.messages("C1") == []


def test_conversations_users_and_usergroups(client: WebClient) -> None:
    assert client.conversations_info(channel="C1")["channel"]["is_member"] is True
    assert client.conversations_info(channel="C2")["channel"]["is_member"] is False
    assert client.conversations_members(channel="C1")["members"] == ["UBOT", "U1"]

    user = client.users_info(user="U1")["user"]
    assert (user["real_name"], user["profile"]["display_name"]) == ("山田 太郎", "yamada")
    assert (user["tz"], user["locale"], user["is_bot"]) == ("Asia/Tokyo", "ja-JP", False)
    assert client.users_info(user="UBOT")["user"]["is_bot"] is True
    assert {m["id"] for m in client.users_list()["members"]} == {"U1", "UBOT"}
    with pytest.raises(SlackApiError) as excinfo:
        client.users_info(user="UNOBODY")
    assert error_of(excinfo) == (200, "user_not_found")

    assert client.usergroups_users_list(usergroup="S1")["users"] == ["U1", "U2"]
    with pytest.raises(SlackApiError) as excinfo:
        client.usergroups_users_list(usergroup="SNONE")
    assert error_of(excinfo) == (200, "no_such_subteam")


def test_views_echo_and_hash_conflict(client: WebClient) -> None:
    modal = {"type": "modal", "callback_id": "new_case", "title": {"type": "plain_text", "text": "問い合わせ"}}
    opened = client.views_open(trigger_id="t1", view=modal)["view"]
    assert opened["id"].startswith("V")
    assert opened["callback_id"] == "new_case"
    updated = client.views_update(view_id=opened["id"], hash=opened["hash"], view=modal)["view"]
    assert updated["id"] == opened["id"]
    assert updated["hash"] != opened["hash"]
    with pytest.raises(SlackApiError) as excinfo:
        client.views_update(view_id=opened["id"], hash=opened["hash"], view=modal)
    assert error_of(excinfo) == (200, "hash_conflict")
    assert client.views_publish(user_id="U1", view={"type": "home", "blocks": []})["view"]["type"] == "home"


def test_socket_mode_url_unknown_method_and_invalid_auth(fake: FakeSlack) -> None:
    fake.socket_mode_url = "ws://127.0.0.1:1/socket"
    fake.valid_tokens = {"xoxb-good", "xapp-good"}
    app_client = WebClient(token="xapp-good", base_url=fake.base_url, retry_handlers=[])
    assert app_client.apps_connections_open(app_token="xapp-good")["url"] == "ws://127.0.0.1:1/socket"

    good = WebClient(token="xoxb-good", base_url=fake.base_url, retry_handlers=[])
    with pytest.raises(SlackApiError) as excinfo:
        good.api_call("nope.nothing")
    assert error_of(excinfo) == (200, "unknown_method")
    bad = WebClient(token="xoxb-bad", base_url=fake.base_url, retry_handlers=[])
    with pytest.raises(SlackApiError) as excinfo:
        bad.auth_test()
    assert error_of(excinfo) == (200, "invalid_auth")


def test_response_url_sink(fake: FakeSlack) -> None:
    url = fake.new_response_url()
    body = json.dumps({"text": "受け付けました", "response_type": "ephemeral"}).encode()
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=2) as response:
        assert (response.status, response.read()) == (200, b"ok")
    [call] = fake.wait_for_calls("response_url")
    assert call.args == {"text": "受け付けました", "response_type": "ephemeral", "_url": url}


def test_reset_forgets_calls_messages_and_faults(fake: FakeSlack, client: WebClient) -> None:
    client.chat_postMessage(channel="C1", text="x")
    fake.fail("chat.postMessage")
    fake.reset()
    assert fake.calls() == []
    assert fake.messages("C1") == []
    client.chat_postMessage(channel="C1", text="y")  # the fault is gone too


def test_ts_follow_the_clock_and_stay_unique_under_concurrency(fake: FakeSlack, client: WebClient) -> None:
    before = time.time()
    threads = [
        threading.Thread(target=client.chat_postMessage, kwargs={"channel": f"C{n % 2}", "text": str(n)})
        for n in range(20)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stamps = [m["ts"] for channel in ("C0", "C1") for m in fake.messages(channel)]
    assert len(set(stamps)) == 20
    assert all(before - 1 < float(ts) < time.time() + 1 for ts in stamps)


def test_deterministic_ts_without_a_clock() -> None:
    with FakeSlack(ts_clock=None, record=UNRECORDED) as fake:
        client = WebClient(token="xoxb-test", base_url=fake.base_url, retry_handlers=[])
        stamps = [client.chat_postMessage(channel="C1", text="x")["ts"] for _ in range(2)]
    assert stamps == ["1700000000.000100", "1700000000.000200"]


# --------------------------------------------------------------------------- faults


def test_rate_limit_is_retried_once_and_posts_once(fake: FakeSlack, monkeypatch: pytest.MonkeyPatch) -> None:
    # The handler sleeps Retry-After plus up to 1s of jitter; the jitter is zeroed to keep the test fast.
    monkeypatch.setattr(builtin_handlers, "random", SimpleNamespace(random=lambda: 0.0))
    fake.fail("chat.postMessage", status=429, retry_after=0)
    client = WebClient(
        token="xoxb-test", base_url=fake.base_url, retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=1)]
    )
    assert client.chat_postMessage(channel="C1", text="一度だけ")["ok"]
    first, second = fake.calls("chat.postMessage")
    assert first.fault is not None and first.fault.status == 429
    assert second.fault is None
    assert [m["text"] for m in fake.messages("C1")] == ["一度だけ"]


def test_rate_limit_answer_carries_retry_after(fake: FakeSlack, client: WebClient) -> None:
    fake.fail("*", status=429, retry_after=7)
    with pytest.raises(SlackApiError) as excinfo:
        client.conversations_history(channel="C1")
    assert error_of(excinfo) == (429, "ratelimited")
    assert excinfo.value.response.headers["Retry-After"] == "7"


def test_server_error_without_and_with_effect(fake: FakeSlack, client: WebClient) -> None:
    fake.fail("chat.postMessage", status=500)
    fake.fail("chat.postMessage", status=503, after_effect=True)
    with pytest.raises(SlackApiError) as excinfo:
        client.chat_postMessage(channel="C1", text="消える")
    assert excinfo.value.response.status_code == 500
    assert fake.messages("C1") == []

    with pytest.raises(SlackApiError) as excinfo:
        client.chat_postMessage(channel="C1", text="届いている")
    assert excinfo.value.response.status_code == 503
    assert [m["text"] for m in fake.messages("C1")] == ["届いている"]  # the hidden success
    assert [c.fault is not None for c in fake.calls("chat.postMessage")] == [True, True]
    assert client.chat_postMessage(channel="C1", text="次")["ok"]  # faults are used up


def test_api_error_applies_times_then_clears(fake: FakeSlack, client: WebClient) -> None:
    fake.fail("chat.postMessage", error="not_in_channel", times=2)
    for _ in range(2):
        with pytest.raises(SlackApiError) as excinfo:
            client.chat_postMessage(channel="C1", text="x")
        assert error_of(excinfo) == (200, "not_in_channel")
    assert client.chat_postMessage(channel="C1", text="x")["ok"]
    assert len(fake.messages("C1")) == 1


def test_drop_closes_the_connection(fake: FakeSlack, client: WebClient) -> None:
    fake.fail("conversations.history", drop=True)
    with pytest.raises(ConnectionError):  # http.client.RemoteDisconnected
        client.conversations_history(channel="C1")
    assert client.conversations_history(channel="C1")["ok"]
    assert len(fake.calls("conversations.history")) == 2


def test_blind_retry_after_a_hidden_success_posts_twice(fake: FakeSlack) -> None:
    """The case the app's outbox guards against, reproduced with slack-sdk's own retry handler."""
    fake.fail("chat.postMessage", drop=True, after_effect=True)
    no_wait = FixedValueRetryIntervalCalculator(0)
    retry = ConnectionErrorRetryHandler(interval_calculator=no_wait)
    client = WebClient(token="xoxb-test", base_url=fake.base_url, retry_handlers=[retry])
    client.chat_postMessage(channel="C1", text="二重投稿")
    assert [m["text"] for m in fake.messages("C1")] == ["二重投稿", "二重投稿"]


def test_delay_provokes_a_client_timeout(fake: FakeSlack) -> None:
    fake.fail("chat.postMessage", delay=1.0, after_effect=True)
    slow = WebClient(token="xoxb-test", base_url=fake.base_url, timeout=0.1, retry_handlers=[])  # type: ignore[arg-type]
    with pytest.raises(TimeoutError):  # how soon: benchmarks/latency_bench.py
        slow.chat_postMessage(channel="C1", text="遅い")
    assert len(fake.messages("C1")) == 1


# --------------------------------------------------------------------------- waiting


def test_wait_for_calls_wakes_on_a_call_from_another_thread(fake: FakeSlack, client: WebClient) -> None:
    timer = threading.Timer(0.05, lambda: client.chat_postMessage(channel="C1", text="後で"))
    timer.start()
    try:  # how soon it wakes: benchmarks/latency_bench.py
        [call] = fake.wait_for_calls("chat.postMessage", where=lambda c: c.args["text"] == "後で", timeout=5)
        assert call.args["channel"] == "C1"
        assert fake.wait_for(lambda: fake.messages("C1"))[0]["text"] == "後で"
    finally:
        timer.join()


def test_wait_for_timeout_explains_what_happened(fake: FakeSlack, client: WebClient) -> None:
    fake.fail("chat.postMessage", error="channel_not_found")
    with pytest.raises(SlackApiError):
        client.chat_postMessage(channel="C1", text="見つからない")
    with pytest.raises(AssertionError) as excinfo:
        fake.wait_for_calls("chat.update", count=2, timeout=0.1)
    message = str(excinfo.value)
    assert "2 call(s) to chat.update" in message
    assert "chat.postMessage" in message and "見つからない" in message
    assert "FAULT HTTP 200, channel_not_found" in message

    def never() -> bool:
        return False

    with pytest.raises(AssertionError, match="never"):
        fake.wait_for(never, timeout=0.05)


def test_calls_are_recorded_with_monotonic_times(fake: FakeSlack, client: WebClient) -> None:
    before = time.monotonic()
    client.auth_test()
    client.chat_postMessage(channel="C1", text="x")
    calls: list[Call] = fake.calls()
    assert [c.method for c in calls] == ["auth.test", "chat.postMessage"]
    assert before <= calls[0].at <= calls[1].at <= time.monotonic()


def test_stop_cuts_a_scripted_delay_short() -> None:
    """How soon it stops with a request in flight: benchmarks/latency_bench.py."""
    fake = FakeSlack(record=UNRECORDED).start()
    fake.fail("auth.test", delay=60)
    answered = threading.Event()

    def call() -> None:
        client = WebClient(token="xoxb-test", base_url=fake.base_url, timeout=120, retry_handlers=[])  # type: ignore[arg-type]
        with contextlib.suppress(Exception):  # the connection ends with the server
            client.auth_test()
        answered.set()

    caller = threading.Thread(target=call, daemon=True)
    caller.start()
    fake.wait_for_calls("auth.test")
    fake.stop()
    assert answered.wait(30)  # long before the 60 s delay: the delay was cut short


# --------------------------------------------------------------------------- signing helpers


def test_signed_slash_command_is_valid_and_shaped_like_slack() -> None:
    body = slash_command_body(
        "/support", "ログイン できない", user_id="U1", channel_id="C1", response_url="http://x/response/1"
    )
    headers = signed_headers(body, "secret")
    assert SignatureVerifier("secret").is_valid_request(body, headers)
    assert not SignatureVerifier("other").is_valid_request(body, headers)
    assert headers["Content-Type"] == "application/x-www-form-urlencoded"
    fields = {k: v[0] for k, v in parse_qs(body).items()}
    assert fields["command"] == "/support"
    assert fields["text"] == "ログイン できない"
    assert (fields["user_id"], fields["channel_id"], fields["team_id"]) == ("U1", "C1", "T0TEAM")
    assert fields["response_url"] == "http://x/response/1"
    assert fields["trigger_id"]


def test_signed_event_and_interactivity_bodies() -> None:
    body = event_body({"type": "app_mention", "user": "U1", "text": "<@UBOT> 助けて", "ts": "1.000100"})
    headers = signed_headers(body, "secret", timestamp=int(time.time()))
    assert headers["Content-Type"] == "application/json"
    assert SignatureVerifier("secret").is_valid(
        body, headers["X-Slack-Request-Timestamp"], headers["X-Slack-Signature"]
    )
    envelope = json.loads(body)
    assert envelope["type"] == "event_callback"
    assert envelope["event_id"].startswith("Ev")
    assert envelope["event"]["text"] == "<@UBOT> 助けて"
    assert json.loads(event_body({"type": "message"}, event_id="Ev1"))["event_id"] == "Ev1"

    payload = {"type": "block_actions", "actions": [{"action_id": "close_case", "value": "案件-1"}]}
    form = interactivity_body(payload)
    assert json.loads(parse_qs(form)["payload"][0]) == payload
    stale = signed_headers(form, "secret", timestamp=int(time.time()) - 600)
    assert not SignatureVerifier("secret").is_valid_request(form, stale)


def test_signed_requests_pass_bolt_and_respond_reaches_the_sink(fake: FakeSlack) -> None:
    from slack_bolt import Ack, App, BoltRequest, Respond

    app = App(
        client=WebClient(token="xoxb-test", base_url=fake.base_url),
        signing_secret="secret",
        process_before_response=True,
    )

    @app.command("/support")
    def support(ack: Ack, respond: Respond, command: dict) -> None:
        ack()
        respond(text=f"受付: {command['text']}")

    def dispatch(body: str, secret: str) -> int:
        headers: dict[str, str | Sequence[str]] = {**signed_headers(body, secret)}
        return app.dispatch(BoltRequest(body=body, headers=headers)).status

    url = fake.new_response_url()
    body = slash_command_body("/support", "ログイン", user_id="U1", channel_id="C1", response_url=url)
    assert dispatch(body, "secret") == 200
    assert fake.calls("response_url")[0].args == {"text": "受付: ログイン", "_url": url}
    assert dispatch(body, "wrong-secret") == 401


def test_a_json_body_to_a_form_only_method_is_not_read(fake: FakeSlack, client: WebClient) -> None:
    """As Slack: conversations.replies takes its arguments from the query string or a form only."""
    parent = client.chat_postMessage(channel="C1", text="親")
    with pytest.raises(SlackApiError) as refused:
        client.api_call("conversations.replies", json={"channel": "C1", "ts": parent["ts"]})
    assert refused.value.response["error"] == "channel_not_found"
    assert client.conversations_replies(channel="C1", ts=parent["ts"])["messages"][0]["text"] == "親"


def test_a_request_cut_off_before_its_body_arrived_is_not_served() -> None:
    """As Slack: a POST whose body never fully arrived (the client went away) calls no method."""
    with FakeSlack() as fake:
        parts = urlsplit(fake.base_url)
        body = b"channel=C0CASES&text=hello"
        with socket.create_connection((parts.hostname, parts.port), timeout=3) as sock:
            head = (
                f"POST {parts.path.rstrip('/')}/chat.postMessage HTTP/1.1\r\nHost: x\r\n"
                "Content-Type: application/x-www-form-urlencoded\r\nAuthorization: Bearer xoxb-test\r\n"
                f"Content-Length: {len(body) + 20}\r\n\r\n"
            )
            sock.sendall(head.encode() + body)
            sock.shutdown(socket.SHUT_WR)  # and nothing more: the body is 20 bytes short
            assert sock.recv(100) == b""  # closed without an answer
        client = WebClient(token="xoxb-test", base_url=fake.base_url.rstrip("/") + "/")
        client.chat_postMessage(channel="C0CASES", text="whole")
        assert [c.args.get("text") for c in fake.calls("chat.postMessage")] == ["whole"]
