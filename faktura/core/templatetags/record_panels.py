"""`{% record_panels record %}`: the cards other apps registered for record pages."""

from django import template
from django.db import models
from django.template import Context
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

from faktura.core.record_panels import record_panels as registered

register = template.Library()


@register.simple_tag(takes_context=True)
def record_panels(context: Context, record: models.Model, classes: str = "") -> SafeString:
    """Every registered panel for `record`, stacked; `classes` go on the wrapper (spacing)."""
    request = context.get("request")
    if request is None or record is None:
        return mark_safe("")
    # A panel returns rendered template HTML (safe); plain text is escaped.
    cards = [conditional_escape(panel.render(request, record)) for panel in registered]
    html = mark_safe("".join(cards))
    if not html:
        return mark_safe("")
    return format_html('<div class="vstack gap-3 {}" data-record-panels>{}</div>', classes, html)
