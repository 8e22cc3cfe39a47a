"""The buyer page is rate limited per client address (issue 13 item 11): over the limit, a 429
page in the normal layout says when to try again, and other addresses are not held back."""

import pytest

from faktura.core.models import AddressRateWindow

pytestmark = pytest.mark.django_db


@pytest.fixture
def limit_3(settings):
    # A day's window: a test never straddles a window boundary (a minute's could, under load).
    settings.FAKTURA_BUYER_RATE_LIMIT = "3/86400"


@pytest.mark.usefixtures("limit_3")
def test_an_address_over_the_limit_is_told_when_to_try_again(client, make_invoice):
    invoice = make_invoice(finalized=True)
    page, pdf = f"/i/{invoice.public_token}/", f"/i/{invoice.public_token}/pdf/"
    answers = [client.get(path, REMOTE_ADDR="198.51.100.4") for path in (page, page, pdf, page)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    refused = answers[-1]
    assert 0 < int(refused["Retry-After"]) <= 86400
    assert "Too many requests came from your address in a short time. Try again in" in refused.text
    assert '<link rel="stylesheet"' in refused.text  # the normal layout
    assert client.get(page, REMOTE_ADDR="198.51.100.5").status_code == 200


@pytest.mark.usefixtures("limit_3")
def test_unknown_links_count_too(client):
    answers = [client.get(f"/i/guess-{i}/", REMOTE_ADDR="198.51.100.4") for i in range(4)]
    assert [a.status_code for a in answers] == [404, 404, 404, 429]


@pytest.mark.usefixtures("limit_3")
def test_an_ipv6_client_is_counted_by_its_64_network(client):
    for i in range(3):
        client.get(f"/i/guess-{i}/", REMOTE_ADDR=f"2001:db8:1:2::{i + 1}")
    assert client.get("/i/guess/", REMOTE_ADDR="2001:db8:1:2::99").status_code == 429
    assert client.get("/i/guess/", REMOTE_ADDR="2001:db8:1:3::1").status_code == 404
    assert AddressRateWindow.objects.filter(key="buyer:2001:db8:1:2::/64").exists()


def test_off_turns_the_limit_off(client, settings):
    settings.FAKTURA_BUYER_RATE_LIMIT = "off"
    assert all(client.get("/i/guess/").status_code == 404 for _ in range(5))
    assert not AddressRateWindow.objects.exists()
