"""QuickBooks Online's query language: parse a statement, answer it over an entity's rows.

The grammar and the answers follow recorded QBO traffic (vendor/qbo_api cassettes) and the
fault wording QBO sends: syntax errors are 4000 "Error parsing query" with a JavaCC-style
``QueryParserError`` detail; well-formed but refused statements are 4001 "Invalid query" with a
``QueryValidationError`` detail.
"""

import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

DEFAULT_MAX_RESULTS = 100
MAX_RESULTS_CAP = 1000

# Every entity QBO's /query answers, spelled as QBO spells it.
ENTITIES = (
    "Account", "Attachable", "Bill", "BillPayment", "Budget", "Class", "CompanyCurrency",
    "CompanyInfo", "CreditMemo", "Customer", "CustomerType", "Department", "Deposit", "Employee",
    "Estimate", "ExchangeRate", "Invoice", "Item", "JournalCode", "JournalEntry", "Payment",
    "PaymentMethod", "Preferences", "Purchase", "PurchaseOrder", "RefundReceipt", "SalesReceipt",
    "TaxAgency", "TaxCode", "TaxRate", "Term", "TimeActivity", "Transfer", "Vendor",
    "VendorCredit",
)  # fmt: skip
_ENTITY_BY_LOWER = {name.lower(): name for name in ENTITIES}

# Name lists: QBO hides inactive rows unless the query mentions Active, and lists them by name.
NAME_LISTS = frozenset(
    {
        "Account", "Class", "Customer", "CustomerType", "Department", "Employee", "Item",
        "JournalCode", "PaymentMethod", "TaxAgency", "TaxCode", "TaxRate", "Term", "Vendor",
    }
)  # fmt: skip
_NAME_KEYS = ("FullyQualifiedName", "DisplayName", "Name")

_KEYWORDS = frozenset(
    {
        "select", "from", "where", "and", "or", "in", "like", "count", "orderby", "order", "by",
        "asc", "desc", "startposition", "maxresults", "true", "false", "iterator",
    }
)  # fmt: skip
# How JavaCC names token kinds in QBO's "Was expecting one of" lists.
_KIND_IMAGE = {"ident": "<IDENTIFIER>", "string": "<STRING>", "number": "<INTEGER>"}


class QueryError(Exception):
    """A query QBO refuses; ``code``/``message``/``detail`` are QBO's own Fault.Error fields."""

    status = 400

    def __init__(self, code: str, message: str, detail: str) -> None:
        super().__init__(f"{code} {message}: {detail}")
        self.code = code
        self.message = message
        self.detail = detail

    def fault(self) -> dict[str, Any]:
        """The body QBO sends for this error (without the ``time`` the server adds)."""
        error = {"Message": self.message, "Detail": self.detail, "code": self.code}
        return {"Fault": {"Error": [error], "type": "ValidationFault"}}


def _invalid(detail: str) -> QueryError:
    return QueryError("4001", "Invalid query", f"QueryValidationError: {detail}")


def _parse_error(detail: str) -> QueryError:
    return QueryError("4000", "Error parsing query", f"QueryParserError: {detail}")


@dataclass(frozen=True)
class Token:
    kind: str  # "kw", "ident", "string", "number", "sym", "eof"
    text: str  # keyword lower-cased, string unescaped, else as written
    raw: str  # as written, for error messages
    column: int  # 1-based; QBO reports every query on line 1


_NUMBER = re.compile(r"-?\d+(\.\d+)?")
_SYMBOLS = ("<=", ">=", "=", "<", ">", "(", ")", ",", "*")


def tokenize(text: str) -> Iterator[Token]:
    """Yields tokens lazily: like QBO's parser, a syntax error before a lexical one wins."""
    i = 0
    while i < len(text):
        char = text[i]
        if char.isspace():
            i += 1
        elif char == "'":
            token, i = _read_string(text, i)
            yield token
        elif char.isalpha() or char == "_":
            end = i
            while end < len(text) and (text[end].isalnum() or text[end] in "_."):
                end += 1
            word = text[i:end]
            kind = "kw" if word.lower() in _KEYWORDS else "ident"
            yield Token(kind, word.lower() if kind == "kw" else word, word, i + 1)
            i = end
        elif char.isdigit() or (char == "-" and text[i + 1 : i + 2].isdigit()):
            match = _NUMBER.match(text, i)
            assert match  # the branch condition guarantees a digit
            yield Token("number", match.group(), match.group(), i + 1)
            i = match.end()
        else:
            symbol = next((s for s in _SYMBOLS if text.startswith(s, i)), None)
            if symbol is None:
                raise _parse_error(
                    f"Invalid content. Lexical error at line 1, column {i + 1}.  "
                    f'Encountered: "{char}" ({ord(char)}), after : ""'
                )
            yield Token("sym", symbol, symbol, i + 1)
            i += len(symbol)
    yield Token("eof", "", "", len(text) + 1)


def _read_string(text: str, start: int) -> tuple[Token, int]:
    """Reads a quoted value where ``\\'`` is a quote and ``\\\\`` a backslash."""
    chars: list[str] = []
    i = start + 1
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text) and text[i + 1] in "'\\":
            chars.append(text[i + 1])
            i += 2
        elif char == "'":
            return Token("string", "".join(chars), text[start : i + 1], start + 1), i + 1
        else:
            chars.append(char)
            i += 1
    raise _parse_error(
        f"Invalid content. Lexical error at line 1, column {len(text) + 1}.  "
        f'Encountered: <EOF> after : "{text[start:]}"'
    )


Literal = str | Decimal | bool


@dataclass(frozen=True)
class Condition:
    path: str
    op: str  # "=", "<", ">", "<=", ">=", "in", "like"
    values: tuple[Literal, ...]


@dataclass
class Query:
    entity: str
    fields: list[str] | None = None  # None = every field
    count: bool = False
    conditions: list[Condition] = field(default_factory=list)
    order: list[tuple[str, bool]] = field(default_factory=list)  # (path, descending)
    start_position: int = 1
    max_results: int = DEFAULT_MAX_RESULTS


# What QBO lists as expected after the entity (False) or after a WHERE condition (True).
_CLAUSE_EXPECTED = {
    cond: ["<EOF>", *(["<AND> ..."] if cond else []), '"iterator" ...', '"maxresults" ...',
           *(["<OR> ..."] if cond else []), '"order" ...', '"orderby" ...',
           '"startposition" ...', *([] if cond else ['"where" ...'])]
    for cond in (False, True)
}  # fmt: skip


class _Parser:
    def __init__(self, text: str) -> None:
        if not text.strip():
            raise _parse_error("The query provided was empty")
        self.tokens = tokenize(text)
        self.token = next(self.tokens)

    def at(self, kind: str, text: str | None = None) -> bool:
        return self.token.kind == kind and (text is None or self.token.text == text)

    def take(self) -> Token:
        token = self.token
        if token.kind != "eof":
            self.token = next(self.tokens)
        return token

    def fail(self, *expected: str) -> QueryError:
        token = self.token
        if token.kind == "eof":
            found = '"<EOF>"'
        else:
            kind = _KIND_IMAGE.get(token.kind) or f'"{token.text}"'
            found = f'" {kind} "{token.raw} ""'
        # JavaCC writes a complete expectation as "X " and a longer one as "X ...".
        lines = "".join(f"    {x if x.endswith('...') else x + ' '}\n" for x in expected)
        heading = "Was expecting:" if len(expected) == 1 else "Was expecting one of:"
        return _parse_error(
            f"Encountered {found} at line 1, column {token.column}.\n{heading}\n{lines}    "
        )

    def expect(self, kind: str, text: str | None = None) -> Token:
        if not self.at(kind, text):
            raise self.fail(f'"{text}"' if text else _KIND_IMAGE.get(kind, kind))
        return self.take()

    def parse(self) -> Query:
        self.expect("kw", "select")
        fields, count = self.select_list()
        self.expect("kw", "from")
        name = self.expect("ident")
        entity = _ENTITY_BY_LOWER.get(name.text.lower())
        if entity is None:
            raise _invalid(f"invalid context declaration: {name.text}")
        query = Query(entity, fields, count)
        if self.at("kw", "where"):
            self.take()
            query.conditions = self.conditions()
        seen: set[str] = set()
        while not self.at("eof"):
            word = self.token.text if self.token.kind == "kw" else ""
            clause = "orderby" if word == "order" else word
            if clause not in {"orderby", "startposition", "maxresults"} or clause in seen:
                raise self.fail(*_CLAUSE_EXPECTED[bool(query.conditions)])
            seen.add(clause)
            self.take()
            if clause == "orderby":
                if word == "order":
                    self.expect("kw", "by")
                query.order = self.order_items()
            elif clause == "startposition":
                query.start_position = self.paging_number()
            else:
                query.max_results = min(self.paging_number(), MAX_RESULTS_CAP)
        return query

    def select_list(self) -> tuple[list[str] | None, bool]:
        if self.at("kw", "count"):
            self.take()
            self.expect("sym", "(")
            self.expect("sym", "*")
            self.expect("sym", ")")
            return None, True
        every = False
        names: list[str] = []
        while True:
            if self.at("sym", "*"):
                self.take()
                every = True
            elif self.at("ident"):
                names.append(self.take().text)
            else:
                raise self.fail('"*"', "<IDENTIFIER>", '"count"')
            if not self.at("sym", ","):
                return (None if every else names), False
            self.take()

    def conditions(self) -> list[Condition]:
        conditions = [self.condition()]
        while self.at("kw", "and") or self.at("kw", "or"):
            if self.take().text == "or":
                raise _invalid("OR operation is not supported")
            conditions.append(self.condition())
        return conditions

    def condition(self) -> Condition:
        path = self.expect("ident").text
        if self.at("kw", "in"):
            self.take()
            self.expect("sym", "(")
            values = [self.literal()]
            while self.at("sym", ","):
                self.take()
                values.append(self.literal())
            self.expect("sym", ")")
            return Condition(path, "in", tuple(values))
        if self.at("kw", "like"):
            self.take()
            return Condition(path, "like", (self.expect("string").text,))
        if self.token.kind == "sym" and self.token.text in {"=", "<", ">", "<=", ">="}:
            op = self.take().text
            return Condition(path, op, (self.literal(),))
        raise self.fail('"="', '"<"', '">"', '"<="', '">="', '"in"', '"like"')

    def literal(self) -> Literal:
        token = self.token
        if token.kind == "string":
            self.take()
            return token.text
        if token.kind == "number":
            self.take()
            return Decimal(token.text)
        if token.kind == "kw" and token.text in {"true", "false"}:
            self.take()
            return token.text == "true"
        raise self.fail("<STRING>", "<INTEGER>", '"true"', '"false"')

    def order_items(self) -> list[tuple[str, bool]]:
        items = []
        while True:
            path = self.expect("ident").text
            descending = False
            if self.at("kw", "asc") or self.at("kw", "desc"):
                descending = self.take().text == "desc"
            items.append((path, descending))
            if not self.at("sym", ","):
                return items
            self.take()

    def paging_number(self) -> int:
        token = self.expect("number")
        if "." in token.text:
            raise _invalid(f"value {token.text} is not an integer")
        value = int(token.text)
        if value < 1:
            raise _invalid(f"value {value} is too small. Min allowed value is 1")
        return value


def parse(text: str) -> Query:
    """Parses a QBO query statement; raises QueryError as QBO would refuse it."""
    return _Parser(text).parse()


def answer(text: str, rows_of: Callable[[str], list[dict[str, Any]]]) -> dict[str, Any]:
    """Answers a query as QBO's ``/query`` does, over ``rows_of(Entity)`` (stored order)."""
    query = parse(text)
    rows = [row for row in rows_of(query.entity) if _matches(row, query)]
    if query.count:
        return {"QueryResponse": {"totalCount": len(rows)}}
    if query.entity in NAME_LISTS:
        rows.sort(key=lambda row: _binary_key(_name_of(row)))
    for path, descending in reversed(query.order):
        _sort_by(rows, path, descending)
    start = query.start_position - 1
    page = rows[start : start + query.max_results]
    if not page:
        return {"QueryResponse": {}}
    if query.fields is not None:
        page = [_project(row, query.fields) for row in page]
    return {
        "QueryResponse": {
            query.entity: page,
            "startPosition": query.start_position,
            "maxResults": len(page),
        }
    }


def _matches(row: dict[str, Any], query: Query) -> bool:
    mentions_active = any(c.path.lower() == "active" for c in query.conditions)
    if query.entity in NAME_LISTS and not mentions_active and row.get("Active") is False:
        return False
    return all(_holds(row, c) for c in query.conditions)


def _lookup(row: dict[str, Any], path: str) -> Any:
    """A field by dotted path; names match exactly, else case-insensitively (lenient)."""
    value: Any = row
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        if part in value:
            value = value[part]
        else:
            value = next((v for k, v in value.items() if k.lower() == part.lower()), None)
    return value


_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
Typed = bool | Decimal | dt.datetime | dt.date | str


def _stored(row: dict[str, Any], path: str) -> Typed | None:
    """A field as QBO compares it: a ref by its value, an email by its address, a phone by its
    number; Ids and refs as numbers, ISO dates and times as such, other text as text."""
    value = _lookup(row, path)
    is_id = path.rsplit(".", 1)[-1].lower() == "id"
    if isinstance(value, dict):
        is_id = "value" in value
        value = next((value[k] for k in ("value", "Address", "FreeFormNumber", "URI")
                      if k in value), None)  # fmt: skip
    if value is None or isinstance(value, list | dict):
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float | Decimal):
        return Decimal(str(value))
    text = str(value)
    if is_id and _NUMBER.fullmatch(text):
        return Decimal(text)
    if _DATETIME.fullmatch(text):
        return dt.datetime.fromisoformat(text)
    if _DATE.fullmatch(text):
        return dt.date.fromisoformat(text)
    return text


def _as_type_of(stored: Typed, literal: Literal) -> Typed | None:
    """The literal read as the stored field's type; None when it cannot be."""
    text = str(literal).lower() if isinstance(literal, bool) else str(literal)
    if isinstance(stored, bool):
        return literal if isinstance(literal, bool) else {"true": True, "false": False}.get(text)
    if isinstance(stored, Decimal):
        return _decimal(literal)
    if isinstance(stored, dt.datetime):
        return _moment(text, stored.tzinfo)
    if isinstance(stored, dt.date):
        return _day(text)
    return text.casefold()


def _holds(row: dict[str, Any], condition: Condition) -> bool:
    stored = _stored(row, condition.path)
    if stored is None:
        return False
    if condition.op == "like":
        pattern = str(condition.values[0])
        regex = ".*".join(re.escape(part) for part in pattern.split("%"))
        return re.fullmatch(regex, str(stored), re.IGNORECASE | re.DOTALL) is not None
    # Text compares case-insensitively: no recording shows QBO either way; lenient by choice.
    left = stored.casefold() if isinstance(stored, str) else stored
    rights = [_as_type_of(stored, literal) for literal in condition.values]
    if condition.op == "in":
        return left in rights
    right = rights[0]
    if right is None:
        return False
    try:
        return bool(_COMPARE[condition.op](left, right))
    except TypeError:  # e.g. an aware time against a naive one
        return False


_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "=": lambda a, b: a == b,
    "<": lambda a, b: a < b,
    ">": lambda a, b: a > b,
    "<=": lambda a, b: a <= b,
    ">=": lambda a, b: a >= b,
}


def _decimal(value: Literal) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return value
    text = str(value).strip()
    return Decimal(text) if _NUMBER.fullmatch(text) else None


def _moment(text: str, tz: dt.tzinfo | None) -> dt.datetime | None:
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    # A time without an offset is read in the stored value's (the company's) zone.
    return moment.replace(tzinfo=tz) if moment.tzinfo is None else moment


def _day(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        return None


def _name_of(row: dict[str, Any]) -> str:
    return next((str(row[key]) for key in _NAME_KEYS if row.get(key) is not None), "")


def _binary_key(text: str) -> bytes:
    # Recorded lists put "PG&E" before "Pam Seitz": QBO orders names byte-wise, not by locale.
    return text.encode()


def _sort_by(rows: list[dict[str, Any]], path: str, descending: bool) -> None:
    """Stable sort; absent values first ascending (and last descending), as SQL orders NULL."""

    def key(row: dict[str, Any]) -> tuple[int, Any]:
        value = _stored(row, path)
        if value is None:
            return (0, 0)
        return (1, _binary_key(value) if isinstance(value, str) else value)

    keyed = [(key(row), row) for row in rows]
    try:
        keyed.sort(key=lambda pair: pair[0], reverse=descending)
    except TypeError:  # mixed types in one field: order by text
        keyed.sort(key=lambda pair: (pair[0][0], str(pair[0][1])), reverse=descending)
    rows[:] = [row for _, row in keyed]


def _project(row: dict[str, Any], fields: Iterable[str]) -> dict[str, Any]:
    """Selected fields plus what identifies the object (domain, Id), marked sparse."""
    projected: dict[str, Any] = {"sparse": True}
    for always in ("domain", "Id"):
        if always in row:
            projected[always] = row[always]
    for path in fields:
        value = _lookup(row, path)
        if value is None:
            continue
        target = projected
        parts = path.split(".")
        for part in parts[:-1]:
            target = target.setdefault(part, {})
        target[parts[-1]] = value
    return projected
