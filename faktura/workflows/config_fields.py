"""An action type's configuration fields (WF-4): what the editor asks for, how it reads the answer
back, how a saved value is shown (the editor's outline, the action log) and whether it is secret
(masked in the log, left out of exports, kept when left empty in the editor).

Each kind of field is one FieldKind object that carries all of that, so a new kind is one class:
subclass FieldKind (or a kind below), give it a template or override `render`, and declare
`ConfigField(..., kind=MyKind())`. A field's choices may be computed when asked
(`choices=callable`), from the workflow's object type and the step's configuration as it stands,
so one field can offer what another's value allows (the payment terms of the chosen company)."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, cast

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from faktura.core.properties import object_types

if TYPE_CHECKING:
    from faktura.workflows.step_forms import FieldInput

log = logging.getLogger(__name__)

Choice = tuple[str, str]  # (stored value, label a person reads)
MASK = "••••••"  # a secret, wherever it is shown


class ChoicesError(Exception):
    """Computed choices that could not be read (the other system is down or refused). `message`
    is shown on the field and in publishing's problems, so it says what failed and what to do:
    "Could not read the payment terms from QuickBooks: the connection timed out; try again."."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Options:
    """What a field offers: its choices, or why they could not be read."""

    choices: tuple[Choice, ...] = ()
    error: str = ""
    computed: bool = False  # asked of a callable now, not declared in code

    def label(self, value: object) -> str | None:
        return dict(self.choices).get(str(value))


@dataclass(frozen=True)
class FieldContext:
    """What computed choices are computed from: the workflow's object type and the step's
    configuration as it stands (saved, or as the editor's form has it now). Each field's options
    are computed at most once per context. With `live=False` computed choices are not asked for
    (the action log is drawn without calling another system)."""

    object_type: str  # singular: "deal"
    config: Mapping[str, Any]
    live: bool = True
    _known: dict[str, Options] = field(default_factory=dict, compare=False, repr=False)
    _shared: dict[Hashable, object] = field(default_factory=dict, compare=False, repr=False)

    def options(self, config_field: ConfigField) -> Options:
        if config_field.name not in self._known:
            self._known[config_field.name] = config_field.kind.options(config_field, self)
        return self._known[config_field.name]

    def shared[T](self, key: Hashable, compute: Callable[[], T]) -> T:
        """A value several fields' choices are read from (one list of accounts for three account
        fields), computed once per context."""
        if key not in self._shared:
            self._shared[key] = compute()
        return cast(T, self._shared[key])


# --- the kinds -------------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldKind:
    """A one-line text; every other kind changes only what differs from it."""

    name: ClassVar[str] = "text"
    template: ClassVar[str] = "workflows/fields/input.html"
    input_type: ClassVar[str] = "text"  # the <input type> of the default template
    # Never sent back to the browser, kept when left empty in the editor, masked in the outline
    # and the action log, left out of exports: each of those places asks this.
    secret: ClassVar[bool] = False

    def options(self, config_field: ConfigField, context: FieldContext) -> Options:
        return Options()

    def read(self, form: Any, name: str) -> Any:
        """The value the submitted form holds in input `name`. Never refuses: what cannot be
        read is kept as typed, and `problems` says why."""
        return str(form.get(name, "")).strip()

    def is_empty(self, value: Any) -> bool:
        return value is None or str(value).strip() == ""

    def problems(self, config_field: ConfigField, value: Any, context: FieldContext) -> list[str]:
        """What is wrong with a value that is not empty, in sentences that name the field."""
        return []

    def display(self, config_field: ConfigField, value: Any, context: FieldContext) -> str:
        """The saved value as the editor's outline and the action log show it."""
        return str(value)

    def form_value(self, value: Any) -> Any:
        """The saved value as the input shows it."""
        return "" if value is None else str(value)

    def render(self, field_input: FieldInput) -> SafeString:
        return render_to_string(self.template, {"input": field_input})


class Text(FieldKind):
    pass


class Textarea(FieldKind):
    name = "textarea"
    template = "workflows/fields/textarea.html"


class Url(FieldKind):
    """An address; which addresses are allowed is the action's own check (a webhook's rules)."""

    name = "url"
    input_type = "url"


class Email(FieldKind):
    name = "email"
    input_type = "email"

    def problems(self, config_field: ConfigField, value: Any, context: FieldContext) -> list[str]:
        try:
            validate_email(str(value).strip())
        except ValidationError:
            return [
                _("%(label)s must be an email address such as name@example.com, not “%(value)s”.")
                % {"label": config_field.label, "value": value}
            ]
        return []


WHOLE = re.compile(r"[+-]?\d+(?:\.0+)?")


def whole_number(value: Any) -> int | None:
    """The value as a whole number (2, "2", "2.0"); None when it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    text = str(value).strip()
    return int(text.split(".")[0]) if WHOLE.fullmatch(text) else None


@dataclass(frozen=True)
class Number(FieldKind):
    """A whole number, optionally within bounds and of a unit ("days") that its problems name."""

    name = "number"
    template = "workflows/fields/number.html"
    minimum: int | None = None
    maximum: int | None = None
    unit: str = ""

    def read(self, form: Any, name: str) -> Any:
        text = str(form.get(name, "")).strip()
        number = whole_number(text)
        return text if number is None else number

    def problems(self, config_field: ConfigField, value: Any, context: FieldContext) -> list[str]:
        number = whole_number(value)
        names = {"label": config_field.label, "value": value, "minimum": self.minimum,
                 "maximum": self.maximum, "unit": f" {self.unit}" if self.unit else ""}  # fmt: skip
        if number is None and self.unit:
            names["unit"] = self.unit
            return [_("%(label)s must be a whole number of %(unit)s, not “%(value)s”.") % names]
        if number is None:
            return [_("%(label)s must be a whole number, not “%(value)s”.") % names]
        low = self.minimum is not None and number < self.minimum
        high = self.maximum is not None and number > self.maximum
        if self.minimum is not None and self.maximum is not None and (low or high):
            return [_("%(label)s must be between %(minimum)s and %(maximum)s%(unit)s.") % names]
        if low:
            return [_("%(label)s must be at least %(minimum)s%(unit)s.") % names]
        if high:
            return [_("%(label)s must be at most %(maximum)s%(unit)s.") % names]
        return []


class Secret(FieldKind):
    name = "secret"
    template = "workflows/fields/secret.html"
    secret = True


class Select(FieldKind):
    """One value from the field's options; a saved value no longer offered stays listed (marked
    so), so opening and saving the step never drops it silently."""

    name = "select"
    template = "workflows/fields/select.html"

    def problems(self, config_field: ConfigField, value: Any, context: FieldContext) -> list[str]:
        options = context.options(config_field)
        missing = [v for v in _values(value) if options.label(v) is None]
        if not missing:
            return []
        names = {"label": config_field.label, "value": ", ".join(missing)}
        if options.computed:
            names["offered"] = ", ".join(label for _value, label in options.choices) or _("none")
            return [
                _(
                    "%(label)s: “%(value)s” is not among the choices offered now (%(offered)s). "
                    "Choose again in the editor."
                )
                % names
            ]
        # Declared choices: their stored values are what JSON documents and the API use.
        names["offered"] = ", ".join(v for v, _label in options.choices)
        return [_("%(label)s must be one of %(offered)s.") % names]

    def display(self, config_field: ConfigField, value: Any, context: FieldContext) -> str:
        options = context.options(config_field)
        return ", ".join(options.label(v) or v for v in _values(value))

    def render(self, field_input: FieldInput) -> SafeString:
        offered = {v for v, _label in field_input.options}
        gone = [v for v in _values(field_input.value) if v and v not in offered]
        listed = field_input.options + tuple(
            (v, _("%(value)s (not offered now)") % {"value": v}) for v in gone
        )
        return render_to_string(self.template, {"input": field_input, "choices": listed})


def _values(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


class PropertyPick(Select):
    """A property of the workflow's object type (its internal name is stored)."""

    name = "property"

    def options(self, config_field: ConfigField, context: FieldContext) -> Options:
        kind = next((t for t in object_types if t.singular == context.object_type), None)
        return Options(tuple((p.name, p.label) for p in kind.properties) if kind else ())

    def problems(self, config_field: ConfigField, value: Any, context: FieldContext) -> list[str]:
        if context.options(config_field).label(value) is None:
            names = {"value": value, "type": context.object_type}
            return [_("'%(value)s' is not a %(type)s property.") % names]
        return []


class Pick(Select):
    """One of the field's `choices`: declared, or computed when asked."""

    name = "choice"

    def options(self, config_field: ConfigField, context: FieldContext) -> Options:
        return choices_of(config_field, context)


class MultiPick(Pick):
    """Any number of the field's `choices` (a list is stored)."""

    name = "multi_choice"
    template = "workflows/fields/checkboxes.html"

    def read(self, form: Any, name: str) -> Any:
        picked = (str(v).strip() for v in form.getlist(name))
        return list(dict.fromkeys(v for v in picked if v))

    def is_empty(self, value: Any) -> bool:
        return not value

    def problems(self, config_field: ConfigField, value: Any, context: FieldContext) -> list[str]:
        if not isinstance(value, list):
            return [
                _("%(label)s must be a list of choices, not “%(value)s”.")
                % {"label": config_field.label, "value": value}
            ]
        return super().problems(config_field, value, context)

    def form_value(self, value: Any) -> Any:
        return _values(value) if isinstance(value, list) else []


class YesNo(FieldKind):
    """Yes or No, stored as true or false."""

    name = "yes_no"
    template = "workflows/fields/yes_no.html"

    def read(self, form: Any, name: str) -> Any:
        return form.get(name) == "yes"

    def is_empty(self, value: Any) -> bool:
        return value is None

    def problems(self, config_field: ConfigField, value: Any, context: FieldContext) -> list[str]:
        if isinstance(value, bool):
            return []
        return [
            _("%(label)s must be Yes or No (true or false in JSON), not “%(value)s”.")
            % {"label": config_field.label, "value": value}
        ]

    def display(self, config_field: ConfigField, value: Any, context: FieldContext) -> str:
        return _("Yes") if value is True else _("No") if value is False else str(value)

    def form_value(self, value: Any) -> Any:
        return "yes" if value is True else "no"


TEXT = Text()
TEXTAREA = Textarea()
NUMBER = Number()
URL = Url()
EMAIL = Email()
SECRET = Secret()
PROPERTY = PropertyPick()
CHOICE = Pick()
MULTI_CHOICE = MultiPick()
YES_NO = YesNo()


# --- a field ---------------------------------------------------------------------------------

ChoicesSource = tuple[Choice, ...] | Callable[[FieldContext], Iterable[Choice]]


@dataclass(frozen=True)
class ConfigField:
    name: str
    label: str
    kind: FieldKind = TEXT
    required: bool = True
    help: str = ""
    # (value, label) pairs, or a callable computing them from a FieldContext when the editor
    # draws the field and when the step is checked (at save and at publish). It raises
    # ChoicesError, in words, when it cannot read them.
    choices: ChoicesSource = ()
    # Fields whose values the computed choices read: the editor draws this field again when
    # one of them changes.
    depends_on: tuple[str, ...] = ()
    # What leaving an optional field empty means ("The customer's terms"): a select's empty
    # option says it, and the outline and log show it for an empty value.
    blank_label: str = ""

    def problems(self, context: FieldContext) -> list[str]:
        value = context.config.get(self.name)
        if self.kind.is_empty(value):
            return [_("%(label)s is required.") % {"label": self.label}] if self.required else []
        if error := context.options(self).error:
            return [f"{self.label}: {error}"]
        return self.kind.problems(self, value, context)

    def display(self, value: Any, context: FieldContext) -> str:
        """The value as the editor's outline and the action log show it (a secret masked)."""
        if self.kind.is_empty(value):
            return _(self.blank_label) if self.blank_label else "—"
        return MASK if self.kind.secret else self.kind.display(self, value, context)


def choices_of(config_field: ConfigField, context: FieldContext) -> Options:
    """The field's choices: declared, or computed now (an error becomes the options' `error`:
    the editor shows it on the field and publishing reports it, neither fails)."""
    source = config_field.choices
    if not callable(source):
        return Options(tuple(source))
    if not context.live:
        return Options(computed=True)
    try:
        return Options(tuple((str(v), str(label)) for v, label in source(context)), computed=True)
    except ChoicesError as error:
        return Options(error=error.message, computed=True)
    except Exception as error:  # a failing provider must not take the editor down with it
        log.exception("Computing the choices of %s failed", config_field.name)
        message = _(
            "Could not read the choices for %(label)s (%(error)s). Try again; if it keeps "
            "failing, ask your administrator to look at the server log."
        ) % {"label": config_field.label, "error": f"{type(error).__name__}: {error}"}
        return Options(error=message, computed=True)
