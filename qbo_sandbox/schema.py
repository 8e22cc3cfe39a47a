"""Strict input: an entity's JSON is checked against Intuit's own schema, as QBO's reader does.

QBO reads JSON with Jackson into classes generated from `Finance.xsd` (the recorded faults name
them: `com.intuit.schema.finance.v3.Invoice`). So the JSON keys are the XSD element and
attribute names, a simpleContent value is the key `value`, a repeated element is a JSON list, and
Jackson's scalar coercion applies: a number is accepted for a string (python-quickbooks sends
`"SyncToken": 0`), a numeric string for a decimal. python-quickbooks also sends `""` for every
unset text, date and amount; QBO accepts it, so `""` (like `null`) counts as absent.

A mismatch raises `SchemaError` with QBO's fault 2010 and a Detail worded as QBO words it: the
unknown-field text is recorded (qbo_api `spec/vcr/error/400_json.yml`; python-quickbooks issue
#299 for a nested `SalesItemLineDetail`); the wrong-type texts are the Jackson messages QBO
showed in 2016 (node-quickbooks issue #39, python-quickbooks issue #24), written out in full.
Required fields and business rules are the server's job, not this module's.
"""

import functools
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

XSD_DIR = Path(__file__).parent / "vendor" / "intuit-xsd"
XSD_FILES = ("IntuitBaseTypes.xsd", "IntuitNamesTypes.xsd", "Finance.xsd")

_XS = "{http://www.w3.org/2001/XMLSchema}"
_JAVA_PACKAGE = "com.intuit.schema.finance.v3"
# Jackson stops listing known properties past this many characters (PropertyBindingException).
_KNOWN_PROPERTIES_LIMIT = 1000

INVALID_PROPERTY_CODE = "2010"
INVALID_PROPERTY_MESSAGE = "Request has invalid or unsupported property"

# XSD built-in type → (kind, the Java class QBO's generated code uses for it).
_BUILTINS: dict[str, tuple[str, str]] = {
    "xs:string": ("string", "java.lang.String"),
    "xs:anyURI": ("string", "java.lang.String"),
    "xs:decimal": ("decimal", "java.math.BigDecimal"),
    "xs:int": ("integer", "java.lang.Integer"),
    "xs:long": ("integer", "java.lang.Long"),
    "xs:integer": ("integer", "java.math.BigInteger"),
    "xs:positiveInteger": ("integer", "java.math.BigInteger"),
    "xs:boolean": ("boolean", "java.lang.Boolean"),
    "xs:date": ("date", "java.util.Date"),
    "xs:dateTime": ("date", "java.util.Date"),
    "xs:anyType": ("any", "java.lang.Object"),
}
_DECIMAL = re.compile(r"\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*")
_INTEGER = re.compile(r"\s*[+-]?\d+\s*")
_DATE_FORMS = (
    "(\"yyyy-MM-dd'T'HH:mm:ss.SSSZ\", \"yyyy-MM-dd'T'HH:mm:ss.SSS'Z'\", "
    '"EEE, dd MMM yyyy HH:mm:ss zzz", "yyyy-MM-dd")'
)


class SchemaError(Exception):
    """A body QBO would refuse while reading it: `code`, `message`, `detail` as in its Fault;
    `element` is the dotted path of the offending property (QBO's recorded 2010 faults carry no
    `element`, so a faithful envelope leaves it out)."""

    def __init__(self, detail: str, element: str) -> None:
        self.code = INVALID_PROPERTY_CODE
        self.message = INVALID_PROPERTY_MESSAGE
        self.detail = f"Property Name:{detail}\n specified is unsupported or invalid"
        self.element = element
        super().__init__(f"{self.message}: {self.detail}")


@dataclass(frozen=True)
class Simple:
    """A simple type: its kind (string, decimal, …), Java class, and enumeration if any."""

    kind: str
    java: str
    enum: tuple[str, ...] = ()


@dataclass
class Complex:
    """A complex type: each JSON key → (type name, repeated?)."""

    name: str
    fields: dict[str, tuple[str, bool]] = field(default_factory=dict)

    @property
    def java(self) -> str:
        return f"{_JAVA_PACKAGE}.{self.name}"


@dataclass
class Schema:
    simple: dict[str, Simple]
    complex: dict[str, Complex]


def _type_name(raw: str | None) -> str:
    if raw is None:
        return "xs:anyType"
    return raw if raw.startswith("xs:") else raw.split(":")[-1]


def _repeats(node: ET.Element) -> bool:
    return node.get("maxOccurs", "1") not in ("0", "1")


@functools.cache
def load() -> Schema:
    """Parse the vendored XSDs once into a map of simple and complex types."""
    simple_nodes: dict[str, ET.Element] = {}
    complex_nodes: dict[str, ET.Element] = {}
    groups: dict[str, ET.Element] = {}
    for name in XSD_FILES:
        for node in ET.parse(XSD_DIR / name).getroot():
            if node.tag == f"{_XS}simpleType":
                simple_nodes[node.attrib["name"]] = node
            elif node.tag == f"{_XS}complexType":
                complex_nodes[node.attrib["name"]] = node
            elif node.tag == f"{_XS}group":
                groups[node.attrib["name"]] = node

    simple: dict[str, Simple] = {k: Simple(kind, java) for k, (kind, java) in _BUILTINS.items()}

    def resolve_simple(name: str) -> Simple:
        if name not in simple:
            restriction = simple_nodes[name].find(f"{_XS}restriction")
            assert restriction is not None, f"{name}: only restrictions are used in Intuit's XSD"
            base = resolve_simple(_type_name(restriction.get("base")))
            values = tuple(e.attrib["value"] for e in restriction.iter(f"{_XS}enumeration"))
            java = f"{_JAVA_PACKAGE}.{name}" if values else base.java
            simple[name] = Simple(base.kind, java, values)
        return simple[name]

    for name in simple_nodes:
        resolve_simple(name)

    complex_types: dict[str, Complex] = {}

    def particles(node: ET.Element, fields: dict[str, tuple[str, bool]], many: bool) -> None:
        for child in node:
            tag = child.tag.removeprefix(_XS)
            if tag == "element":
                fields[child.attrib["name"]] = (
                    _type_name(child.get("type")),
                    many or _repeats(child),
                )
            elif tag in ("sequence", "choice", "all"):
                particles(child, fields, many or _repeats(child))
            elif tag == "group":
                particles(groups[_type_name(child.get("ref"))], fields, many or _repeats(child))
            elif tag == "any":
                # JAXB maps xs:any to a property named "any" (seen in QBO's `PurchaseEx`).
                fields["any"] = ("xs:anyType", True)
            elif tag == "attribute":
                fields[child.attrib["name"]] = (_type_name(child.get("type")), False)
            elif tag in ("complexContent", "simpleContent"):
                particles(child, fields, many)
            elif tag == "extension":
                base = _type_name(child.get("base"))
                if base in complex_nodes:
                    fields.update(resolve_complex(base).fields)
                else:
                    fields["value"] = (base, False)
                particles(child, fields, many)

    def resolve_complex(name: str) -> Complex:
        if name not in complex_types:
            complex_types[name] = made = Complex(name)
            particles(complex_nodes[name], made.fields, False)
        return complex_types[name]

    for name in complex_nodes:
        resolve_complex(name)
    return Schema(simple, complex_types)


def check(entity: str, body: dict) -> None:
    """Refuse (SchemaError) a create/update body of `entity` that QBO's reader would refuse."""
    schema = load()
    if entity not in schema.complex:
        raise ValueError(f"Intuit's schema has no entity type {entity!r}.")
    _check_value(schema, entity, False, body, "")


def _token(value: object) -> str:
    """The Jackson token name of a JSON value, as its messages print it."""
    if isinstance(value, dict):
        return "START_OBJECT"
    if isinstance(value, list):
        return "START_ARRAY"
    if isinstance(value, bool):
        return "VALUE_TRUE" if value else "VALUE_FALSE"
    if isinstance(value, int):
        return "VALUE_NUMBER_INT"
    if isinstance(value, float):
        return "VALUE_NUMBER_FLOAT"
    return "VALUE_STRING"


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _check_value(schema: Schema, type_name: str, many: bool, value: object, path: str) -> None:
    if value is None or value == "":
        return
    if many:
        if not isinstance(value, list):
            raise SchemaError(
                f"Can not deserialize instance of java.util.ArrayList out of {_token(value)} token",
                path,
            )
        for item in value:
            _check_value(schema, type_name, False, item, path)
        return
    complex_type = schema.complex.get(type_name)
    if complex_type is not None:
        _check_object(schema, complex_type, value, path)
    else:
        _check_scalar(schema.simple[type_name], value, path)


def _check_object(schema: Schema, complex_type: Complex, value: object, path: str) -> None:
    if isinstance(value, list):
        raise SchemaError(
            f"Can not deserialize instance of {complex_type.java} out of START_ARRAY token", path
        )
    if not isinstance(value, dict):
        raise SchemaError(_no_constructor(complex_type.java, value), path)
    fields = complex_type.fields
    for key, item in value.items():
        where = _join(path, key)
        if key not in fields:
            raise SchemaError(_unrecognized(key, complex_type), where)
        type_name, many = fields[key]
        _check_value(schema, type_name, many, item, where)


def _no_constructor(java: str, value: object) -> str:
    if isinstance(value, bool):
        source, missing = f"Boolean value ({str(value).lower()})", "single-boolean/Boolean-arg "
    elif isinstance(value, int):
        source, missing = f"Integral number ({value})", "single-int-"
    elif isinstance(value, float):
        source, missing = f"Floating-point number ({value})", "one-double/Double-arg "
    else:
        source, missing = f"String value ('{value}')", "single-String "
    return (
        f"Can not instantiate value of type [simple type, class {java}] from {source}; "
        f"no {missing}constructor/factory method"
    )


def _unrecognized(key: str, complex_type: Complex) -> str:
    names = list(complex_type.fields)
    listed = ""
    for index, name in enumerate(names):
        listed += f'"{name}"'
        if len(listed) > _KNOWN_PROPERTIES_LIMIT:
            listed += " [truncated]"
            break
        if index < len(names) - 1:
            listed += ", "
    return (
        f'Unrecognized field "{key}" (class {complex_type.java}), not marked as ignorable '
        f"({len(names)} known properties: {listed}])"
    )


def _check_scalar(simple: Simple, value: object, path: str) -> None:
    if simple.kind == "any":
        return  # xs:any and untyped elements take whatever JSON comes
    if isinstance(value, dict | list) or (
        isinstance(value, bool) and (simple.enum or simple.kind in ("decimal", "integer", "date"))
    ):
        raise SchemaError(
            f"Can not deserialize instance of {simple.java} out of {_token(value)} token", path
        )
    # Jackson reads any other number or boolean as text, as a number, or as an enum index.
    problem = _text_problem(simple, value) if isinstance(value, str) else ""
    if problem:
        raise SchemaError(
            f"Can not construct instance of {simple.java} from String value '{value}': {problem}",
            path,
        )


def _text_problem(simple: Simple, text: str) -> str:
    """Why Jackson would not read `text` as `simple` ("" when it would)."""
    if simple.enum:
        if text in simple.enum:
            return ""
        return f"value not one of declared Enum instance names: [{', '.join(simple.enum)}]"
    if simple.kind == "decimal" and not _DECIMAL.fullmatch(text):
        return "not a valid representation"
    if simple.kind == "integer" and not _INTEGER.fullmatch(text):
        if simple.java.startswith("java.lang."):
            return f"not a valid {simple.java.removeprefix('java.lang.')} value"
        return "not a valid representation"
    if simple.kind == "boolean" and text not in ("true", "false"):
        return 'only "true" or "false" recognized'
    if simple.kind == "date":
        try:
            datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return (
                f"not a valid representation (error: Failed to parse Date value '{text}': "
                f'Can not parse date "{text}": not compatible with any of standard forms '
                f"{_DATE_FORMS})"
            )
    return ""
