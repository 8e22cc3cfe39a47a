"""An API client with a real token: requests go through Django's whole stack."""

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from faktura.api.scopes import ALL_SCOPES
from faktura.api.tokens import create_token
from faktura.core.actors import Actor


class ApiClient:
    def __init__(self, client: Client, token: str) -> None:
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"}

    def call(self, method: str, path: str, body: Any = None, **params: Any) -> Any:
        kwargs: dict[str, Any] = {"headers": self.headers}
        if body is not None:
            kwargs["data"] = json.dumps(body)
            kwargs["content_type"] = "application/json"
        elif params:
            kwargs["data"] = params
        return getattr(self.client, method)(path, **kwargs)

    def get(self, path: str, **params: Any) -> Any:
        return self.call("get", path, **params)

    def post(self, path: str, body: Any) -> Any:
        return self.call("post", path, body)

    def patch(self, path: str, body: Any) -> Any:
        return self.call("patch", path, body)

    def delete(self, path: str) -> Any:
        return self.call("delete", path)


def _scope_names(scopes: Any) -> list[str]:
    return [s if isinstance(s, str) else s[0] for s in scopes]


@pytest.fixture
def token_for(db: None) -> Callable[..., str]:
    def make(*scopes: str, name: str = "tests") -> str:
        chosen = list(scopes) or _scope_names(ALL_SCOPES)
        return create_token(actor=Actor.system("tests"), name=name, scopes=chosen)[1]

    return make


@pytest.fixture
def api(client: Client, token_for: Callable[..., str]) -> ApiClient:
    return ApiClient(client, token_for())
