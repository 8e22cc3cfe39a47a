"""Text that is no text: control characters (all below U+0020 except tab, line feed and carriage
return) and lone UTF-16 surrogates. PostgreSQL cannot store NUL, UTF-8 cannot encode a
surrogate, and an XLSX file cannot hold the other control characters, so one of them in a record
broke every export that included it. Input that holds one is refused with a sentence naming the
character (forms, the API's bodies and query strings, imports, filters); text written out to
files is cleaned (`printable`), for records stored before this rule.

JSON is read here too (`read_json`), with a nesting limit: a document nested 100,000 deep made
Python's parser and every recursive walk after it fail with RecursionError."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext

from faktura.core.errors import RuleViolation

# The same set as openpyxl's ILLEGAL_CHARACTERS_RE, plus lone surrogates.
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")
# Deeper than any document Faktura writes (a workflow is about 8 levels deep).
MAX_JSON_DEPTH = 64


def text_problem(text: str, where: str) -> str | None:
    """Why `text` is refused (a sentence naming the character), or None when it is fine."""
    found = FORBIDDEN.search(text)
    if found is None:
        return None
    code = f"U+{ord(found.group()):04X}"
    if "\ud800" <= found.group() <= "\udfff":
        return gettext(
            "%(where)s contains half of a UTF-16 surrogate pair (%(code)s), which is not a "
            "character. Send the text as valid UTF-8."
        ) % {"where": where, "code": code}
    return gettext(
        "%(where)s contains a control character (%(code)s), which Faktura does not store. "
        "Remove it (it often comes along with pasted text) and try again."
    ) % {"where": where, "code": code}


def check_text(text: str, where: str) -> None:
    """Raise RuleViolation when `text` holds a control character or a lone surrogate."""
    if (problem := text_problem(text, where)) is not None:
        raise RuleViolation(problem, code="control_character")


def printable(text: str) -> str:
    """The text without the characters input refuses: for writing records stored earlier."""
    return FORBIDDEN.sub("", text)


def read_json(data: str | bytes, what: str) -> Any:
    """JSON from a request or a file, checked: nested at most MAX_JSON_DEPTH deep and without a
    control character or lone surrogate in any key or text. RuleViolation says what is wrong."""
    try:
        value = json.loads(data)
    except RecursionError:
        raise _too_deep(what) from None
    except json.JSONDecodeError as error:
        where = gettext("%(problem)s at line %(line)d, column %(column)d") % {
            "problem": error.msg,
            "line": error.lineno,
            "column": error.colno,
        }
        raise _not_json(what, where) from None
    except ValueError as error:  # bytes that are not UTF-8
        raise _not_json(what, str(error)) from None
    check_json(value, what)
    return value


def check_json(value: Any, what: str) -> None:
    """The nesting and text checks of `read_json`, on a value parsed already."""
    for path, depth, item in _walk(value):
        if depth > MAX_JSON_DEPTH:
            raise _too_deep(what)
        if isinstance(item, str):
            check_text(item, f"{what}: {printable(path)}" if path else what)


def _walk(value: Any) -> Iterator[tuple[str, int, Any]]:
    """Every value and key inside `value` with its path and depth, without recursion."""
    stack: list[tuple[str, int, Any]] = [("", 0, value)]
    while stack:
        path, depth, item = stack.pop()
        yield path, depth, item
        if isinstance(item, dict):
            for key, inner in item.items():
                where = f"{path}.{key}" if path else str(key)
                yield where, depth + 1, str(key)
                stack.append((where, depth + 1, inner))
        elif isinstance(item, list):
            stack.extend((f"{path}[{i}]", depth + 1, inner) for i, inner in enumerate(item))


def _not_json(what: str, problem: str) -> RuleViolation:
    return RuleViolation(
        gettext("%(what)s is not JSON (%(problem)s).") % {"what": what, "problem": problem},
        code="invalid_json",
    )


def _too_deep(what: str) -> RuleViolation:
    return RuleViolation(
        gettext(
            "%(what)s is nested too deeply: at most %(depth)d levels of objects and lists are read."
        )
        % {"what": what, "depth": MAX_JSON_DEPTH},
        code="too_deep",
    )
