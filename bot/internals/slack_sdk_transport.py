"""slack_sdk's WebClient: every Web API call's HTTP goes through one private method, which we replace.

slack-sdk offers no public seam for its transport (it opens a urllib connection per call). What this
module relies on, pinned by tests/internals/test_slack_sdk_transport.py:

1. `WebClient._perform_urllib_http_request_internal(url, req)` sends one prepared `urllib.request.Request`
   and returns `{"status": int, "headers": HTTPMessage-like, "body": str (or bytes for gzip)}`; an
   HTTPError/URLError it raises is what its callers handle.
2. The retry handlers (rate limits, connection errors, 5xx) run around that method: a retried call goes
   through it again, so kept connections (bot/slack/keep_alive.py) do not bypass them.
"""

from __future__ import annotations

from typing import Any
from urllib.request import Request

from slack_sdk import WebClient

from bot.slack.keep_alive import ConnectionPool


class KeepAliveWebClient(WebClient):
    """A WebClient whose Web API calls reuse connections (`ConnectionPool`); everything else is slack-sdk's."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pool = ConnectionPool(self.ssl)

    def _perform_urllib_http_request_internal(self, url: str, req: Request) -> dict[str, Any]:
        if self.proxy is not None or not url.lower().startswith("http"):
            return super()._perform_urllib_http_request_internal(url, req)
        answer = self.pool.open(req, self.timeout)
        if answer.headers.get_content_type() == "application/gzip":
            return {"status": answer.status, "headers": answer.headers, "body": answer.body}
        charset = answer.headers.get_content_charset() or "utf-8"
        return {"status": answer.status, "headers": answer.headers, "body": answer.body.decode(charset)}
