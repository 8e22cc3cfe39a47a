"""The “Send a webhook” action against a real HTTP server on 127.0.0.1: the signed JSON it
posts, how each answer maps to success, a retry or a failure, its configuration checks, and the
retry policy it runs under (HubSpot's: WQ-14)."""

import datetime as dt
import hashlib
import hmac
import json
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from faktura.core.actors import Actor
from faktura.workflows.registry import ActionContext, ActionError, RetryPolicy, action_types

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _local_receivers_allowed(settings):
    # The receivers here listen on 127.0.0.1, which webhooks may reach only when allowed
    # (test_webhook_addresses.py tests the refusals).
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]


SECRET = "s3cret-shared-with-the-receiver"
KEY = "faktura-wf7-e42-s3"


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self):
        return json.loads(self.body)


@dataclass
class Receiver:
    """A local webhook receiver: records each request, answers from a script (then 200)."""

    url: str
    requests: list[Request] = field(default_factory=list)
    script: list[tuple[int, dict[str, str], str]] = field(default_factory=list)
    stalled: bool = False  # hold every answer until the test ends
    release: threading.Event = field(default_factory=threading.Event)

    def answer(self, status: int, body: str = "", **headers: str) -> None:
        self.script.append((status, {k.replace("_", "-"): v for k, v in headers.items()}, body))


@pytest.fixture
def receiver():
    state = Receiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            state.requests.append(Request(self.path, dict(self.headers.items()), body))
            if state.stalled:
                state.release.wait(10)
                return
            status, headers, text = state.script.pop(0) if state.script else (200, {}, "ok")
            payload = text.encode()
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/faktura"
    yield state
    state.release.set()
    server.shutdown()
    server.server_close()
    thread.join(5)


def context_for(record, *, url, key=KEY, **config):
    return ActionContext(
        config={"url": url, "secret": SECRET, **config},
        record=record,
        object_type="contact",
        actor=Actor.workflow("Welcome new contacts"),
        idempotency_key=key,
        workflow_name="Welcome new contacts",
        first_attempt_at=dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.UTC),
    )


def send(context):
    return action_types.get("send_webhook").run(context)


def refusal(context) -> ActionError:
    with pytest.raises(ActionError) as raised:
        send(context)
    return raised.value


def unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- what is sent ------------------------------------------------------------------------------


def test_a_webhook_posts_the_records_properties_as_json_and_returns_the_answer(contact, receiver):
    receiver.answer(200, "thanks")

    result = send(context_for(contact, url=receiver.url))

    assert result == {"status": 200, "response": "thanks"}
    [request] = receiver.requests
    assert request.path == "/hooks/faktura"
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["User-Agent"] == "Faktura-Workflows"
    payload = request.json()
    assert payload["workflow"] == "Welcome new contacts"
    assert payload["objectType"] == "contact"
    assert payload["objectId"] == str(contact.pk)
    assert payload["firstAttemptAt"] == "2026-03-01T09:30:00Z"
    properties = payload["properties"]
    assert properties["email"] == "ada@example.com"
    assert properties["firstname"] == "Ada"
    assert properties["lastname"] == "Lovelace"
    assert properties["phone"] is None
    assert properties["hs_object_id"] == str(contact.pk)
    assert properties["createdate"].endswith("Z")  # untracked properties are declared too
    occurred = dt.datetime.fromisoformat(payload["occurredAt"])
    assert occurred.tzinfo == dt.UTC
    assert abs(occurred - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=1)
    assert SECRET not in request.body.decode()


def test_the_signature_is_an_hmac_of_the_timestamp_and_the_body_with_the_secret(contact, receiver):
    send(context_for(contact, url=receiver.url))

    [request] = receiver.requests
    timestamp = request.headers["X-Faktura-Timestamp"]
    assert abs(int(timestamp) - time.time()) < 60
    expected = hmac.new(
        SECRET.encode(), timestamp.encode() + b"." + request.body, hashlib.sha256
    ).hexdigest()
    assert hmac.compare_digest(request.headers["X-Faktura-Signature"], f"sha256={expected}")
    occurred = dt.datetime.fromisoformat(request.json()["occurredAt"])
    assert int(occurred.timestamp()) == int(timestamp)


def test_the_idempotency_key_header_is_the_steps_key(contact, receiver):
    send(context_for(contact, url=receiver.url, key="faktura-wf1-e2-s5"))

    assert receiver.requests[0].headers["Idempotency-Key"] == "faktura-wf1-e2-s5"


def test_include_properties_limits_the_payload_to_the_named_properties(contact, receiver):
    send(context_for(contact, url=receiver.url, include_properties=" email, firstname,,email "))

    assert receiver.requests[0].json()["properties"] == {
        "email": "ada@example.com",
        "firstname": "Ada",
    }


def test_a_property_that_no_longer_exists_fails_without_sending_or_retrying(contact, receiver):
    error = refusal(context_for(contact, url=receiver.url, include_properties="email,shoe_size"))

    assert not error.retryable
    assert "shoe_size" in error.message
    assert receiver.requests == []


# --- answers and failures (SPEC WF-4: failed actions are logged in words and retried) ---------


def test_a_503_is_retried_and_the_retry_with_the_same_key_succeeds(contact, receiver):
    # SPEC WF-4
    receiver.answer(503, "down for maintenance")
    receiver.answer(200, "ok")
    context = context_for(contact, url=receiver.url)

    error = refusal(context)
    assert error.retryable
    assert error.retry_after is None
    assert error.message == (
        f"The webhook at {receiver.url} answered 503 Service Unavailable: a problem on the "
        "receiving end, often temporary."
    )

    assert send(context) == {"status": 200, "response": "ok"}
    first, second = receiver.requests
    assert first.headers["Idempotency-Key"] == second.headers["Idempotency-Key"] == KEY
    assert first.json()["objectId"] == second.json()["objectId"]


def test_a_429_is_retried_no_sooner_than_its_retry_after(contact, receiver):
    # SPEC WF-4
    receiver.answer(429, "slow down", Retry_After="120")

    error = refusal(context_for(contact, url=receiver.url))

    assert error.retryable
    assert error.retry_after == dt.timedelta(seconds=120)
    assert "429 Too Many Requests" in error.message
    assert "asked Faktura to wait 2 minutes" in error.message


def test_a_429_with_a_retry_after_date_waits_until_that_date(contact, receiver):
    # SPEC WF-4
    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=10)
    receiver.answer(429, Retry_After=later.strftime("%a, %d %b %Y %H:%M:%S GMT"))

    error = refusal(context_for(contact, url=receiver.url))

    assert error.retryable
    assert error.retry_after is not None
    assert dt.timedelta(minutes=9) < error.retry_after <= dt.timedelta(minutes=10)


def test_a_429_without_retry_after_is_retried_on_the_policys_schedule(contact, receiver):
    # SPEC WF-4
    receiver.answer(429, Retry_After="soon")

    error = refusal(context_for(contact, url=receiver.url))

    assert error.retryable
    assert error.retry_after is None


def test_a_400_fails_without_retrying_and_quotes_the_answer(contact, receiver):
    # SPEC WF-4
    receiver.answer(400, '{"error": "email is\n required"}' + "x" * 300)

    error = refusal(context_for(contact, url=receiver.url))

    assert not error.retryable
    excerpt = ('{"error": "email is required"}' + "x" * 300)[:200]
    assert error.message == (
        f"The webhook at {receiver.url} refused the request with 400 Bad Request: {excerpt}. "
        "Fix the receiving end or the URL, then retry."
    )


def test_a_404_without_a_body_fails_without_retrying(contact, receiver):
    # SPEC WF-4
    receiver.answer(404)

    error = refusal(context_for(contact, url=receiver.url))

    assert not error.retryable
    assert "refused the request with 404 Not Found. Fix" in error.message


def test_a_redirect_is_not_followed_and_not_retried(contact, receiver):
    # SPEC WF-4
    receiver.answer(301, Location=receiver.url + "/moved")

    error = refusal(context_for(contact, url=receiver.url))

    assert not error.retryable
    assert f"answered 301 Moved Permanently to {receiver.url}/moved" in error.message
    assert len(receiver.requests) == 1


def test_a_refused_connection_is_retried(contact):
    # SPEC WF-4
    url = f"http://127.0.0.1:{unused_port()}/hook"

    error = refusal(context_for(contact, url=url))

    assert error.retryable
    assert error.message == (
        f"The webhook at {url} refused the connection (nothing is listening at that address "
        "and port)."
    )


def test_an_answer_slower_than_the_response_timeout_is_retried(contact, receiver, settings):
    # SPEC WF-4
    settings.WEBHOOK_RESPONSE_TIMEOUT = 0.2
    receiver.stalled = True

    error = refusal(context_for(contact, url=receiver.url))

    assert error.retryable
    assert "did not answer within 0.2 seconds" in error.message


def test_an_unknown_host_is_retried(contact):
    # SPEC WF-4
    error = refusal(context_for(contact, url="http://faktura-webhook.invalid/hook"))

    assert error.retryable
    assert "could not find the host faktura-webhook.invalid" in error.message


def test_the_query_string_is_sent_but_left_out_of_messages(contact, receiver):
    receiver.answer(500)

    error = refusal(context_for(contact, url=receiver.url + "?token=abc"))

    assert receiver.requests[0].path == "/hooks/faktura?token=abc"
    assert "token" not in error.message
    assert "500 Internal Server Error" in error.message


# --- configuration -----------------------------------------------------------------------------


def problems(**config):
    return action_types.get("send_webhook").problems("contact", config)


def test_problems_refuse_a_missing_url_and_secret():
    assert problems() == [
        "“Send a webhook”: Webhook URL is required.",
        "“Send a webhook”: Secret is required.",
    ]
    assert problems(url="https://example.com/hook", secret="  ") == [
        "“Send a webhook”: Secret is required."
    ]


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/hook",
        "file:///etc/passwd",
        "javascript:alert(1)",
        "example.com/hook",
        "https:///no-host",
        "https://example.com:99999/hook",
        "https://user:pw@example.com/hook",
    ],
)
def test_problems_refuse_a_url_that_is_not_a_plain_http_or_https_address(url):
    [problem] = problems(url=url, secret=SECRET)

    assert problem.startswith("“Send a webhook”: ")


def test_problems_name_the_scheme_rule_for_an_ftp_url():
    assert problems(url="ftp://example.com/hook", secret=SECRET) == [
        "“Send a webhook”: The webhook URL must start with http:// or https:// "
        "(not “ftp://example.com/hook”)."
    ]


def test_problems_refuse_include_properties_the_object_type_does_not_declare():
    assert problems(
        url="https://example.com/hook", secret=SECRET, include_properties="email,x"
    ) == [
        "“Send a webhook”: contacts have no property named x. Use the properties' internal "
        "names (e.g. email), separated by commas."
    ]


def test_problems_accept_http_and_https_urls_with_declared_properties():
    assert problems(url="http://1.1.1.1:8080/hook", secret=SECRET) == []
    assert (
        problems(url="HTTPS://example.com/h?x=1", secret=SECRET, include_properties="email") == []
    )


def test_the_action_is_an_external_call_for_any_object_type_retried_as_hubspot_does():
    # SPEC WF-4
    action = action_types.get("send_webhook")

    assert action.transactional is False
    assert action.object_types is None
    assert action.category == "Integrations"
    assert action.retry == RetryPolicy()
    assert [f.name for f in action.fields] == ["url", "secret", "include_properties"]
    assert [f.kind.name for f in action.fields] == ["url", "secret", "text"]
    assert [f.required for f in action.fields] == [True, True, False]


# --- the retry policy (WQ-14) ------------------------------------------------------------------


def test_retries_wait_one_minute_then_double_up_to_eight_hours_for_three_days():
    # SPEC WF-4
    policy = RetryPolicy()

    waits = [policy.next_wait(attempts, None) for attempts in range(1, 12)]

    minutes = [int(wait.total_seconds() // 60) for wait in waits]
    assert minutes == [1, 2, 4, 8, 16, 32, 64, 128, 256, 480, 480]
    assert policy.next_wait(0, None) == dt.timedelta(minutes=1)
    assert policy.give_up_after == dt.timedelta(days=3)


def test_a_retry_after_longer_than_the_computed_wait_wins_and_a_shorter_one_does_not():
    # SPEC WF-4
    policy = RetryPolicy()

    assert policy.next_wait(1, dt.timedelta(seconds=120)) == dt.timedelta(seconds=120)
    assert policy.next_wait(3, dt.timedelta(seconds=120)) == dt.timedelta(minutes=4)
    assert policy.next_wait(20, dt.timedelta(hours=10)) == dt.timedelta(hours=10)
