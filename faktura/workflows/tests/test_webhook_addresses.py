"""Where “Send a webhook” may send (S8, server-side request forgery): never to this server, private
networks, the cloud metadata service or other non-public addresses unless
FAKTURA_WEBHOOK_ALLOWED_NETWORKS allows them; a host name is looked up once and the connection
goes to the address that was checked (DNS rebinding), with Host, SNI and the certificate check
still on the name. Receivers are real servers on 127.0.0.x; nothing here needs the internet."""

import datetime as dt
import os
import re
import socket
import ssl
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured

from faktura.core.actors import Actor
from faktura.core.errors import RuleViolation
from faktura.sales import services as sales
from faktura.workflows import services
from faktura.workflows.models import EnrollmentStatus, StepRun, StepStatus
from faktura.workflows.registry import ActionContext, ActionError, action_types
from faktura.workflows.tests.conftest import read_feed, where

pytestmark = pytest.mark.django_db

SECRET = "s3cret-shared-with-the-receiver"
ADVICE = "Use a public address, or allow the network with FAKTURA_WEBHOOK_ALLOWED_NETWORKS."
PRIVATE = "Faktura does not send webhooks into private networks."
NOT_PUBLIC = "Faktura sends webhooks only to public internet addresses."
LOOPBACK = "a loopback address, which reaches this server"


@pytest.fixture(autouse=True)
def _nothing_allowed(settings):
    # The default, whatever the environment running the tests says.
    settings.WEBHOOK_ALLOWED_NETWORKS = []


# --- receivers ---------------------------------------------------------------------------------


@dataclass
class Receiver:
    """A webhook receiver on one address: counts the connections it accepts, records each
    request's headers and, over TLS, the host name the client asked for (SNI); answers 200."""

    port: int
    connections: int = 0
    requests: list[dict[str, str]] = field(default_factory=list)
    server_names: list[str | None] = field(default_factory=list)

    def url(self, host: str, scheme: str = "http") -> str:
        return f"{scheme}://{host}:{self.port}/hook"


@pytest.fixture
def serve() -> Iterator:
    """serve(address="127.0.0.1", port=0, tls=None) → a running Receiver."""
    servers = []

    def start(address: str = "127.0.0.1", port: int = 0, tls: ssl.SSLContext | None = None):
        state = Receiver(port=0)

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                state.requests.append(dict(self.headers.items()))
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, format, *args):
                pass

        class Server(ThreadingHTTPServer):
            def verify_request(self, request, client_address):
                state.connections += 1
                return True

        server = Server((address, port), Handler)
        if tls is not None:
            tls.sni_callback = lambda _socket, name, _context: state.server_names.append(name)
            server.socket = tls.wrap_socket(server.socket, server_side=True)
        state.port = server.server_address[1]
        thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        thread.start()
        servers.append((server, thread))
        return state

    yield start
    for server, thread in servers:
        server.shutdown()
        server.server_close()
        thread.join(5)


def context_for(record, url: str) -> ActionContext:
    return ActionContext(
        config={"url": url, "secret": SECRET},
        record=record,
        object_type="contact",
        actor=Actor.workflow("Welcome new contacts"),
        idempotency_key="faktura-wf7-e42-s3",
        workflow_name="Welcome new contacts",
        first_attempt_at=dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.UTC),
    )


def send(record, url: str):
    return action_types.get("send_webhook").run(context_for(record, url))


def refusal(record, url: str) -> ActionError:
    with pytest.raises(ActionError) as raised:
        send(record, url)
    return raised.value


def problems(url: str) -> list[str]:
    return action_types.get("send_webhook").problems("contact", {"url": url, "secret": SECRET})


# --- refused when sending ----------------------------------------------------------------------


def test_a_receiver_on_this_server_is_refused_without_connecting_or_retrying(contact, serve):
    # SPEC WF-4
    receiver = serve()

    error = refusal(contact, receiver.url("127.0.0.1"))

    assert not error.retryable
    assert error.message == f"The webhook URL points to 127.0.0.1, {LOOPBACK}; {PRIVATE} {ADVICE}"
    assert receiver.connections == 0


def test_a_host_name_that_resolves_to_a_loopback_address_is_refused_without_connecting(
    contact, serve
):
    # SPEC WF-4
    receiver = serve()

    error = refusal(contact, receiver.url("localhost"))

    assert not error.retryable
    # /etc/hosts may list ::1 for localhost as well; whichever comes first is named.
    assert re.fullmatch(
        rf"The webhook URL resolves to (127\.0\.0\.1|::1), {LOOPBACK}; {PRIVATE} {ADVICE}",
        error.message,
    )
    assert receiver.connections == 0


def test_ipv6_loopback_is_refused(contact):
    # SPEC WF-4
    error = refusal(contact, "http://[::1]:8080/hook")

    assert not error.retryable
    assert error.message == f"The webhook URL points to ::1, {LOOPBACK}; {PRIVATE} {ADVICE}"


def test_an_ipv4_address_written_as_ipv6_is_refused_as_the_ipv4_address_it_reaches(contact, serve):
    # SPEC WF-4
    receiver = serve()

    error = refusal(contact, receiver.url("[::ffff:127.0.0.1]"))

    assert not error.retryable
    assert error.message == (
        f"The webhook URL points to ::ffff:127.0.0.1, {LOOPBACK} (127.0.0.1 written as IPv6); "
        f"{PRIVATE} {ADVICE}"
    )
    assert receiver.connections == 0


def test_a_host_name_that_does_not_resolve_is_still_retried(contact):
    # SPEC WF-4
    error = refusal(contact, "http://faktura-webhook.invalid/hook")

    assert error.retryable
    assert "could not find the host faktura-webhook.invalid" in error.message


# --- refused at publish ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "address", "words", "rule"),
    [
        ("169.254.169.254", "169.254.169.254", "the cloud metadata service's address", PRIVATE),
        ("[fd00:ec2::254]", "fd00:ec2::254", "the cloud metadata service's address", PRIVATE),
        ("169.254.10.1", "169.254.10.1", "a link-local address", PRIVATE),
        ("[fe80::1]", "fe80::1", "a link-local address", PRIVATE),
        ("10.0.0.5", "10.0.0.5", "a private network address", PRIVATE),
        ("172.16.0.1", "172.16.0.1", "a private network address", PRIVATE),
        ("172.31.255.254", "172.31.255.254", "a private network address", PRIVATE),
        ("192.168.1.1", "192.168.1.1", "a private network address", PRIVATE),
        ("[fc00::1]", "fc00::1", "a private network address", PRIVATE),
        ("[fd12:3456::1]", "fd12:3456::1", "a private network address", PRIVATE),
        ("[fec0::1]", "fec0::1", "a site-local (private network) address", PRIVATE),
        (
            "100.64.0.1",
            "100.64.0.1",
            "a carrier-grade NAT address (shared inside a provider)",
            PRIVATE,
        ),
        ("127.0.0.1", "127.0.0.1", LOOPBACK, PRIVATE),
        ("127.10.20.30", "127.10.20.30", LOOPBACK, PRIVATE),
        # Numbers resolvers read as IPv4 addresses.
        ("2130706433", "127.0.0.1", LOOPBACK, PRIVATE),
        ("0x7f.1", "127.0.0.1", LOOPBACK, PRIVATE),
        ("0.0.0.0", "0.0.0.0", "the unspecified address, which reaches this server", PRIVATE),
        ("0", "0.0.0.0", "the unspecified address, which reaches this server", PRIVATE),
        ("[::]", "::", "the unspecified address, which reaches this server", PRIVATE),
        (
            "[::ffff:169.254.169.254]",
            "::ffff:169.254.169.254",
            "the cloud metadata service's address (169.254.169.254 written as IPv6)",
            PRIVATE,
        ),
        (
            "[64:ff9b::a00:5]",
            "64:ff9b::a00:5",
            "a private network address (10.0.0.5 through NAT64)",
            PRIVATE,
        ),
        ("224.0.0.1", "224.0.0.1", "a multicast address", NOT_PUBLIC),
        ("[ff02::1]", "ff02::1", "a multicast address", NOT_PUBLIC),
        ("255.255.255.255", "255.255.255.255", "a reserved address", NOT_PUBLIC),
        ("240.0.0.1", "240.0.0.1", "a reserved address", NOT_PUBLIC),
        ("192.0.2.10", "192.0.2.10", "a reserved address", NOT_PUBLIC),  # documentation
        ("198.18.0.1", "198.18.0.1", "a reserved address", NOT_PUBLIC),  # benchmarking
        ("[2001:db8::1]", "2001:db8::1", "a reserved address", NOT_PUBLIC),
        ("[::127.0.0.1]", "::7f00:1", "a reserved address", NOT_PUBLIC),  # IPv4-compatible
        ("[2002:7f00:1::]", "2002:7f00:1::", "a reserved address", NOT_PUBLIC),  # 6to4
    ],
)
def test_a_url_written_with_a_non_public_address_is_a_publish_problem(host, address, words, rule):
    # SPEC WF-4
    [problem] = problems(f"http://{host}/latest/meta-data/")

    if words == "a reserved address":
        words = "a reserved address that is not on the public internet"
    assert (
        problem
        == f"“Send a webhook”: The webhook URL points to {address}, {words}; {rule} {ADVICE}"
    )


@pytest.mark.parametrize(
    "url",
    [
        "https://1.1.1.1/hook",
        "https://8.8.8.8:8443/hook",
        "http://[2606:4700:4700::1111]/hook",
        "http://[::ffff:8.8.8.8]/hook",
        "http://[64:ff9b::808:808]/hook",  # NAT64 to a public address
        "http://192.0.0.9/hook",  # a public anycast address inside 192.0.0.0/24
        "https://example.com/hook",
        # Host names are checked when sending: their addresses can change after publishing.
        "http://localhost/hook",
    ],
)
def test_public_addresses_and_host_names_are_no_publish_problem(url):
    assert problems(url) == []


def test_publishing_a_workflow_with_the_metadata_address_is_refused(admin):
    # SPEC WF-4
    workflow = services.create_workflow(
        actor=admin,
        name="Leak credentials",
        object_type="contact",
        definition={
            "triggers": {"filters": where("email", "known"), "events": []},
            "re_enrollment": {"enabled": False, "properties": []},
            "steps": [
                {
                    "id": "s1",
                    "type": "send_webhook",
                    "config": {
                        "url": "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
                        "secret": SECRET,
                    },
                }
            ],
        },
    )

    with pytest.raises(RuleViolation) as refused:
        services.publish_workflow(workflow, actor=admin)

    assert refused.value.reason == (
        "The workflow cannot be published yet: “Send a webhook”: The webhook URL points to "
        f"169.254.169.254, the cloud metadata service's address; {PRIVATE} {ADVICE}"
    )


def test_a_host_name_the_resolver_cannot_encode_is_a_problem_at_publish():
    assert problems("http://a..b/hook") == [
        "“Send a webhook”: The webhook URL's host name “a..b” is not valid "
        "(label empty or too long)."
    ]


# --- allowed networks --------------------------------------------------------------------------


def test_an_allowed_network_is_sent_to_by_name_with_the_host_header_kept(contact, serve, settings):
    # SPEC WF-4
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8", "::1/128"]
    receiver = serve()

    result = send(contact, receiver.url("localhost"))

    assert result == {"status": 200, "response": "ok"}
    [request] = receiver.requests
    assert request["Host"] == f"localhost:{receiver.port}"


def test_allowed_networks_make_literal_addresses_publishable(settings):
    settings.WEBHOOK_ALLOWED_NETWORKS = ["10.0.0.0/8", "fd00::/8"]

    assert problems("http://10.0.0.5:8080/hook") == []
    assert problems("http://[::ffff:10.0.0.5]:8080/hook") == []  # the IPv4 network covers it
    assert problems("http://[fd12::5]/hook") == []
    [problem] = problems("http://192.168.1.5/hook")
    assert "192.168.1.5, a private network address" in problem


def test_only_the_allowed_part_of_a_range_is_allowed(contact, serve, settings):
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.2/32"]
    receiver = serve()

    error = refusal(contact, receiver.url("127.0.0.1"))

    assert "points to 127.0.0.1, a loopback address" in error.message
    assert receiver.connections == 0


def test_a_bad_network_in_the_setting_says_which_and_how_to_write_one(settings):
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8", "10.0.0.1/8"]

    with pytest.raises(ImproperlyConfigured) as raised:
        problems("http://10.0.0.5/hook")

    assert str(raised.value) == (
        "WEBHOOK_ALLOWED_NETWORKS: “10.0.0.1/8” is not a network (10.0.0.1/8 has host bits set). "
        "Write networks as CIDRs separated by commas, such as 127.0.0.0/8,10.0.0.0/8,fd00::/8."
    )


def start_with(tmp_path: Path, networks: str, command: list[str]) -> subprocess.CompletedProcess:
    """manage.py `command` in a new process whose environment sets the allowed networks."""
    env = {
        **os.environ,
        "FAKTURA_WEBHOOK_ALLOWED_NETWORKS": networks,
        "FAKTURA_DATA_DIR": str(tmp_path),
        "SECRET_KEY": "only-for-this-test",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    manage = Path(django_settings.BASE_DIR) / "manage.py"
    return subprocess.run(
        [sys.executable, str(manage), *command],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_environment_variable_sets_the_allowed_networks(tmp_path):
    started = start_with(
        tmp_path,
        " 127.0.0.0/8, 10.0.0.0/8,,fd00::/8 ",
        [
            "shell",
            "--no-imports",
            "-c",
            "from django.conf import settings; print(settings.WEBHOOK_ALLOWED_NETWORKS)",
        ],
    )

    assert started.returncode == 0, started.stderr
    assert started.stdout.strip() == "['127.0.0.0/8', '10.0.0.0/8', 'fd00::/8']"


def test_a_bad_network_in_the_environment_stops_the_start_naming_the_variable_and_value(tmp_path):
    started = start_with(tmp_path, "127.0.0.0/8,intranet", ["check"])

    assert started.returncode != 0
    assert (
        "FAKTURA_WEBHOOK_ALLOWED_NETWORKS: “intranet” is not a network ('intranet' does not "
        "appear to be an IPv4 or IPv6 network). Write networks as CIDRs separated by commas"
    ) in started.stderr


# --- DNS rebinding -----------------------------------------------------------------------------


@dataclass
class RebindingDns:
    """Answers for NAME, one list per lookup; the last one repeats."""

    answers: list[list[str]] = field(default_factory=list)
    lookups: int = 0


NAME = "rebinding.test"


@pytest.fixture
def rebinding_dns(monkeypatch) -> RebindingDns:
    # socket.getaddrinfo is replaced ONLY to simulate a DNS server that answers each lookup of
    # NAME differently (the attack); every other lookup, and the connections, are real.
    dns = RebindingDns()
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host != NAME or kwargs.get("flags", 0) & socket.AI_NUMERICHOST:
            return real(host, port, *args, **kwargs)  # numbers only: never reaches DNS
        dns.lookups += 1
        addresses = dns.answers.pop(0) if len(dns.answers) > 1 else dns.answers[0]
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port)) for a in addresses]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return dns


def test_the_connection_goes_to_the_address_that_was_checked(
    contact, serve, settings, rebinding_dns
):
    # SPEC WF-4
    # 127.0.0.1 stands for the attacker's public server, 127.0.0.2 for a service inside.
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    checked = serve("127.0.0.1")
    inside = serve("127.0.0.2", port=checked.port)
    rebinding_dns.answers = [["127.0.0.1"], ["127.0.0.2"]]

    result = send(contact, checked.url(NAME))

    assert result == {"status": 200, "response": "ok"}
    assert rebinding_dns.lookups == 1
    assert [r["Host"] for r in checked.requests] == [f"{NAME}:{checked.port}"]
    assert inside.connections == 0
    # The attack is real: a client that looks the name up again reaches the service inside.
    with socket.create_connection((NAME, checked.port), timeout=3) as unchecked:
        assert unchecked.getpeername()[0] == "127.0.0.2"


def test_a_name_with_one_non_public_address_among_public_ones_is_refused(
    contact, serve, settings, rebinding_dns
):
    # SPEC WF-4
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    checked = serve("127.0.0.1")
    inside = serve("127.0.0.2", port=checked.port)
    rebinding_dns.answers = [["127.0.0.1", "127.0.0.2"]]

    error = refusal(contact, checked.url(NAME))

    assert not error.retryable
    assert error.message == f"The webhook URL resolves to 127.0.0.2, {LOOPBACK}; {PRIVATE} {ADVICE}"
    assert checked.connections == inside.connections == 0


# --- HTTPS to a checked address ----------------------------------------------------------------

# A test CA and a certificate it issued for DNS:localhost only (no IP address), valid 2000-2100,
# made with openssl for these tests.
TEST_CA = """-----BEGIN CERTIFICATE-----
MIIBZzCCAQ2gAwIBAgIBATAKBggqhkjOPQQDAjAaMRgwFgYDVQQDDA9GYWt0dXJh
IHRlc3QgQ0EwIBcNMDAwMTAxMDAwMDAwWhgPMjEwMDAxMDEwMDAwMDBaMBoxGDAW
BgNVBAMMD0Zha3R1cmEgdGVzdCBDQTBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IA
BDXZJ1ODeQ9XaAUYtw67O+TD33QVsG7ggctnWHlbvpXzLjxRHY2U5rOPts0ShkAH
DbKvOs9yzVpBdGdKjBpaQFijQjBAMA8GA1UdEwEB/wQFMAMBAf8wDgYDVR0PAQH/
BAQDAgEGMB0GA1UdDgQWBBRJ8yLcEDOGQDp+mQKL8tKzFMkw1TAKBggqhkjOPQQD
AgNIADBFAiEAxGUyyYpdQUsG1AgBKS5+sNdbeIW0I/xq8uUGnVSQA20CIFbdWHOS
d4X/xiS7C4W2pEzfFp4g3N5KFQZ0D0mWZgWO
-----END CERTIFICATE-----
"""
LOCALHOST_CERT = """-----BEGIN CERTIFICATE-----
MIIBrDCCAVKgAwIBAgIBAjAKBggqhkjOPQQDAjAaMRgwFgYDVQQDDA9GYWt0dXJh
IHRlc3QgQ0EwIBcNMDAwMTAxMDAwMDAwWhgPMjEwMDAxMDEwMDAwMDBaMBQxEjAQ
BgNVBAMMCWxvY2FsaG9zdDBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABAkKytQ7
1vFPhypuzSc6vym2KvW8XVlJte4+C/08J7QwBANhNJP4tfz4QjlCd47KyExkBbU/
QmB1j1HMWuRbcRmjgYwwgYkwFAYDVR0RBA0wC4IJbG9jYWxob3N0MAwGA1UdEwEB
/wQCMAAwDgYDVR0PAQH/BAQDAgeAMBMGA1UdJQQMMAoGCCsGAQUFBwMBMB0GA1Ud
DgQWBBRPICjwTOIzf/9uGzWCvwA8eHgIhjAfBgNVHSMEGDAWgBRJ8yLcEDOGQDp+
mQKL8tKzFMkw1TAKBggqhkjOPQQDAgNIADBFAiEAiBjIo0QryItnK4aBDSk1rntN
4sCqyau7OPLSsZ/0W+4CIADs2LVEvYMZ/4cNgSZGexg155a3K/FZvC8jrgLMVhez
-----END CERTIFICATE-----
-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg/NB71JqOZNeDSn/F
9e85b9XMOqJjFuNkaaX8Nm6FOdihRANCAAQJCsrUO9bxT4cqbs0nOr8ptir1vF1Z
SbXuPgv9PCe0MAQDYTST+LX8+EI5QneOyshMZAW1P0JgdY9RzFrkW3EZ
-----END PRIVATE KEY-----
"""


@pytest.fixture
def tls_receiver(serve, tmp_path, monkeypatch, settings) -> Receiver:
    """An HTTPS receiver on 127.0.0.1 with a certificate for localhost that Faktura trusts."""
    (tmp_path / "ca.pem").write_text(TEST_CA)
    (tmp_path / "localhost.pem").write_text(LOCALHOST_CERT)
    # OpenSSL reads SSL_CERT_FILE whenever default trust is loaded: the test CA stands in for
    # the system's.
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "ca.pem"))
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8", "::1/128"]
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp_path / "localhost.pem")
    return serve("127.0.0.1", tls=context)


def test_https_to_a_checked_address_sends_the_host_name_and_verifies_the_certificate_for_it(
    contact, tls_receiver
):
    # SPEC WF-4
    result = send(contact, tls_receiver.url("localhost", "https"))

    assert result == {"status": 200, "response": "ok"}
    assert tls_receiver.server_names == ["localhost"]
    [request] = tls_receiver.requests
    assert request["Host"] == f"localhost:{tls_receiver.port}"


def test_https_still_refuses_a_certificate_not_made_for_the_urls_host(contact, tls_receiver):
    # SPEC WF-4
    error = refusal(contact, tls_receiver.url("127.0.0.1", "https"))

    assert error.retryable
    assert "presented a certificate Faktura cannot trust" in error.message
    assert "not valid for '127.0.0.1'" in error.message
    assert tls_receiver.requests == []


# --- in a running workflow ---------------------------------------------------------------------


def test_a_refused_webhook_stops_the_run_and_the_users_retry_sends_it_once_allowed(
    live_workflow, system, admin, serve, settings, django_capture_on_commit_callbacks
):
    # SPEC WF-4
    receiver = serve()
    step = {
        "id": "s1",
        "type": "send_webhook",
        "config": {"url": receiver.url("localhost"), "secret": SECRET},
    }
    live_workflow("deal", [step], filters=where("dealstage", "any_of", "closedwon"))
    sales.create_deal(actor=system, dealname="Engine", dealstage="closedwon")
    with django_capture_on_commit_callbacks(execute=True):
        read_feed()

    failed = StepRun.objects.get(step_id="s1")
    assert failed.status == StepStatus.FAILED
    assert failed.attempts == 1
    assert failed.error.startswith("The webhook URL resolves to ")
    assert failed.error.endswith(ADVICE)
    assert failed.enrollment.status == EnrollmentStatus.FAILED
    assert receiver.connections == 0

    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8", "::1/128"]
    with django_capture_on_commit_callbacks(execute=True):
        services.retry_step_run(failed, actor=admin)

    failed.refresh_from_db()
    assert failed.status == StepStatus.SUCCEEDED
    assert failed.result["status"] == 200
    assert len(receiver.requests) == 1
