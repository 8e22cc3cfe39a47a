"""The per-token API rate limit (HubSpot's 100 requests per 10 seconds by default), counted in the
database so that it holds across web processes."""

import threading
from collections.abc import Callable

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from faktura.api import ratelimit
from faktura.api.models import ApiRateWindow, ApiToken
from faktura.api.ratelimit import RateLimit, hit, parse_rate_limit
from faktura.api.tokens import create_token
from faktura.core.actors import Actor

T0 = 1_800_000_000.0  # a window boundary for every period the tests use


@pytest.fixture
def make_token(db: None) -> Callable[[str], ApiToken]:
    def make(name: str) -> ApiToken:
        scopes = ["crm.objects.invoices.read"]
        return create_token(actor=Actor.system("tests"), name=name, scopes=scopes)[0]

    return make


@pytest.fixture
def limit_3_per_10(settings):
    settings.FAKTURA_API_RATE_LIMIT = "3/10"


@pytest.mark.usefixtures("limit_3_per_10")
def test_over_the_limit_a_token_is_told_how_long_to_wait(make_token):
    token = make_token("Sync")
    assert [hit(token, now=T0 + i) for i in range(3)] == [None, None, None]
    assert hit(token, now=T0 + 4) == pytest.approx(6.0)
    assert hit(token, now=T0 + 9.5) == pytest.approx(0.5)


@pytest.mark.usefixtures("limit_3_per_10")
def test_each_token_has_its_own_limit(make_token):
    first, second = make_token("First"), make_token("Second")
    for _ in range(3):
        assert hit(first, now=T0) is None
    assert hit(first, now=T0) is not None
    assert hit(second, now=T0) is None


@pytest.mark.usefixtures("limit_3_per_10")
def test_when_the_window_passes_the_token_may_call_again(make_token):
    token = make_token("Sync")
    for _ in range(5):
        hit(token, now=T0 + 1)
    assert hit(token, now=T0 + 9.99) is not None
    assert hit(token, now=T0 + 10) is None
    assert ApiRateWindow.objects.get(token=token).requests == 1
    assert hit(token, now=T0 + 45) is None  # windows later, the count starts afresh
    assert ApiRateWindow.objects.count() == 1  # one row per token: nothing piles up


@pytest.mark.usefixtures("limit_3_per_10")
def test_a_request_stamped_with_an_older_window_counts_in_the_newer_one(make_token):
    # Two web servers' clocks a little apart must not reset each other's count.
    token = make_token("Sync")
    for _ in range(3):
        assert hit(token, now=T0 + 10) is None
    assert hit(token, now=T0 + 9.9) is not None
    assert ApiRateWindow.objects.get(token=token).window_start == T0 + 10


@pytest.mark.usefixtures("limit_3_per_10")
def test_counting_a_request_is_one_query(make_token, django_assert_num_queries):
    token = make_token("Sync")
    with django_assert_num_queries(1):
        hit(token)
    with django_assert_num_queries(1):
        hit(token)


def test_the_limit_is_configurable(make_token, settings):
    token = make_token("Sync")
    settings.FAKTURA_API_RATE_LIMIT = "1/60"
    assert hit(token, now=T0) is None
    assert hit(token, now=T0 + 1) == pytest.approx(59.0)
    settings.FAKTURA_API_RATE_LIMIT = "5/60"
    assert hit(token, now=T0 + 2) is None


@pytest.mark.parametrize("value", ["0", "off", "OFF", " off "])
def test_the_limit_can_be_turned_off(make_token, settings, django_assert_num_queries, value):
    settings.FAKTURA_API_RATE_LIMIT = value
    token = make_token("Sync")
    with django_assert_num_queries(0):
        assert all(hit(token, now=T0) is None for _ in range(500))
    assert not ApiRateWindow.objects.exists()


def test_hubspots_limit_is_the_default(settings):
    del settings.FAKTURA_API_RATE_LIMIT
    assert ratelimit.configured_limit() == RateLimit(100, 10)
    assert parse_rate_limit(ratelimit.DEFAULT_RATE_LIMIT) == RateLimit(100, 10)


@pytest.mark.parametrize("value", ["100", "100/0", "fast", "-1/10", "10/s", ""])
def test_a_misconfigured_limit_says_how_to_write_it(value):
    with pytest.raises(ImproperlyConfigured, match="requests/seconds, e.g. '100/10'"):
        parse_rate_limit(value)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL: run bin/test, which starts one"
)
def test_concurrent_requests_never_pass_more_than_the_limit(make_token, settings):
    # Threads with their own connections stand in for web processes; the first request of a
    # fresh token races on the insert, the rest on the increment.
    settings.FAKTURA_API_RATE_LIMIT = "10/60"
    token = make_token("Sync")
    workers = 24
    barrier = threading.Barrier(workers)
    results: list[object] = [None] * workers

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = hit(token, now=T0)
        except Exception as error:
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(isinstance(result, Exception) for result in results), results
    assert sum(result is None for result in results) == 10
    assert ApiRateWindow.objects.get(token=token).requests == workers
