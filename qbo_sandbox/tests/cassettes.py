"""Reads the VCR cassettes vendored from minimul/qbo_api into plain interactions."""

import json
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

CASSETTES = Path(__file__).resolve().parent.parent / "vendor" / "qbo_api" / "vcr"


@dataclass(frozen=True)
class Interaction:
    cassette: str  # path under vcr/, e.g. "all/customers.yml"
    method: str  # upper case
    path: str  # e.g. "/v3/company/-COMPANY_ID-/query"
    query: dict[str, str]  # the URL's query parameters, decoded
    request_body: str
    status: int
    response_body: str

    def response_json(self) -> Any:
        return json.loads(self.response_body)

    def request_json(self) -> Any:
        return json.loads(self.request_body)


def interactions(pattern: str = "**/*.yml") -> Iterator[Interaction]:
    """Every recorded exchange of the cassettes matching ``pattern``, in file and record order."""
    for file in sorted(CASSETTES.glob(pattern)):
        recording = yaml.safe_load(file.read_text(encoding="utf-8"))
        for exchange in recording["http_interactions"]:
            request, response = exchange["request"], exchange["response"]
            url = urllib.parse.urlsplit(request["uri"])
            yield Interaction(
                cassette=file.relative_to(CASSETTES).as_posix(),
                method=request["method"].upper(),
                path=url.path,
                query=dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True)),
                request_body=_text(request.get("body")),
                status=int(response["status"]["code"]),
                response_body=_text(response.get("body")),
            )


def _text(body: dict[str, Any] | None) -> str:
    if not body:
        return ""
    return str(body.get("string") or "")


def query_statements() -> Iterator[tuple[Interaction, str, Any]]:
    """Each recorded query with its answer: (interaction, statement, recorded QueryResponse
    or Fault body), including the query items of recorded batches."""
    for interaction in interactions():
        if interaction.path.endswith("/query"):
            yield interaction, interaction.query["query"], interaction.response_json()
        elif interaction.path.endswith("/batch"):
            items = interaction.request_json()["BatchItemRequest"]
            answers = {a["bId"]: a for a in interaction.response_json()["BatchItemResponse"]}
            for item in items:
                if "Query" in item:
                    yield interaction, item["Query"], answers[item["bId"]]
