"""Forms that render with Bootstrap's classes, so templates only lay them out."""

from typing import Any

from django import forms

from faktura.core.text_input import text_problem


def style_widgets(form: forms.BaseForm) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select | forms.SelectMultiple):
            css = "form-select"
        else:
            css = "form-control"
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


class PlainNewlines(forms.BaseForm):
    """Text as it is stored: browsers send a textarea's line breaks as CRLF, which would make an
    unchanged address or comment read as changed (in history, and on issued invoices). A control
    character (pasted along with text) is refused beside its field (faktura.core.text_input)."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for name, value in list(cleaned.items()):
            if not isinstance(value, str):
                continue
            field = self.fields.get(name)
            label = str(field.label) if field is not None and field.label else name
            if problem := text_problem(value, label):
                self.add_error(name, problem)
            elif "\r" in value:
                cleaned[name] = value.replace("\r\n", "\n").replace("\r", "\n")
        return cleaned


class StyledForm(PlainNewlines, forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_widgets(self)


class StyledModelForm(PlainNewlines, forms.ModelForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_widgets(self)
