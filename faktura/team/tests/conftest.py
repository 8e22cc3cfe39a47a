"""Fixtures of the Users tests: an account that can send invitations, a way to invite, and a
clock that can be moved ahead for invitation links."""

import datetime as dt
from typing import Any

import pytest

from faktura.team import invitations, services
from faktura.team.tests.mailbox import BASE_URL


@pytest.fixture(autouse=True)
def sender(account: Any) -> None:
    account(default_from_email="team@nordlys.example", company_name="Nordlys AS")


@pytest.fixture
def invite(admin: Any) -> Any:
    """invite("ola@example.com", role=…) → the new user, invited by the admin fixture."""

    def make(email: str = "ola@example.com", role: str = "editor", **names: str) -> Any:
        return services.invite_user(actor=admin, email=email, role=role, base_url=BASE_URL, **names)

    return make


@pytest.fixture
def later(monkeypatch: Any) -> Any:
    """later(days) moves the clock that invitation links are checked against that far ahead."""

    def move(days: int) -> None:
        now = dt.datetime.now() + dt.timedelta(days=days)
        monkeypatch.setattr(invitations.tokens, "_now", lambda: now)

    return move
