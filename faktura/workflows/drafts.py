"""Edits of a draft definition as the editor makes them: insert, change and remove steps, and
set the triggers. Pure functions on the stored JSON; each returns a new draft.

A step list is named by `where`: "" for the workflow's own steps, "<branch step id>:<n>" for
the steps of its n-th branch (from 0), "<branch step id>:else" for its otherwise path."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from faktura.core.errors import RuleViolation
from faktura.workflows.definition import BRANCH

Draft = dict[str, Any]


def _step_lists(steps: list[dict[str, Any]], where: str = "") -> list[tuple[str, list[Any]]]:
    """Every step list in the draft with its name, outermost first."""
    found: list[tuple[str, list[Any]]] = [(where, steps)]
    for step in steps:
        if step.get("type") != BRANCH:
            continue
        for n, branch in enumerate(step.get("branches") or []):
            found += _step_lists(branch.setdefault("steps", []), f"{step['id']}:{n}")
        found += _step_lists(step.setdefault("otherwise", []), f"{step['id']}:else")
    return found


def _list_named(draft: Draft, where: str) -> list[Any]:
    for name, steps in _step_lists(draft.setdefault("steps", [])):
        if name == where:
            return steps
    raise RuleViolation(
        "That place in the workflow no longer exists; reload the page and try again.",
        code="not_found",
    )


def _holder(draft: Draft, step_id: str) -> tuple[list[Any], int]:
    for _, steps in _step_lists(draft.setdefault("steps", [])):
        for index, step in enumerate(steps):
            if step.get("id") == step_id:
                return steps, index
    raise RuleViolation(
        f"The draft has no step '{step_id}'; reload the page and try again.", code="not_found"
    )


def step_ids(draft: Mapping[str, Any]) -> list[str]:
    return [
        str(step.get("id"))
        for _, steps in _step_lists(copy.deepcopy(list(draft.get("steps") or [])))
        for step in steps
    ]


def new_step_id(draft: Mapping[str, Any]) -> str:
    """The next free id "s<n>": short, readable in exports and logs, never reused."""
    taken = set(step_ids(draft))
    n = len(taken) + 1
    while f"s{n}" in taken:
        n += 1
    return f"s{n}"


def find_step(draft: Mapping[str, Any], step_id: str) -> dict[str, Any]:
    steps, index = _holder(copy.deepcopy(dict(draft)), step_id)
    return dict(steps[index])


def insert_step(draft: Mapping[str, Any], where: str, index: int, step: Mapping[str, Any]) -> Draft:
    """`step` placed at `index` of the list `where` (clamped to the list)."""
    new = copy.deepcopy(dict(draft))
    steps = _list_named(new, where)
    steps.insert(max(0, min(index, len(steps))), dict(step))
    return new


def replace_step(draft: Mapping[str, Any], step_id: str, step: Mapping[str, Any]) -> Draft:
    new = copy.deepcopy(dict(draft))
    steps, index = _holder(new, step_id)
    steps[index] = dict(step)
    return new


def remove_step(draft: Mapping[str, Any], step_id: str) -> Draft:
    """Without the step (and, for a branch, the steps inside its branches)."""
    new = copy.deepcopy(dict(draft))
    steps, index = _holder(new, step_id)
    del steps[index]
    return new


def with_triggers(
    draft: Mapping[str, Any],
    *,
    filters: list[Any],
    events: list[dict[str, Any]],
    re_enroll: bool,
    re_enroll_properties: list[str],
) -> Draft:
    new = copy.deepcopy(dict(draft))
    new["triggers"] = {"filters": filters, "events": events}
    new["re_enrollment"] = {"enabled": re_enroll, "properties": re_enroll_properties}
    return new
