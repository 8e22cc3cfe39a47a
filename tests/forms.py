"""Forms as a browser posts them back: what a page shows, untouched by the person."""

from html.parser import HTMLParser


class FormReader(HTMLParser):
    """What a browser would post back from a page's post form, untouched by the person."""

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[str, str] = {}
        self._select: str | None = None
        self._textarea: str | None = None
        self._template = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {key: value or "" for key, value in attrs}
        name = found.get("name", "")
        if tag == "template":
            self._template += 1  # rows JavaScript would add are not posted
        if self._template or (not name and tag != "option"):
            return
        if tag == "input" and found.get("type") not in ("submit", "button"):
            if found.get("type") != "checkbox" or "checked" in found:
                self.data[name] = found.get("value", "")
        elif tag == "select":
            self._select = name
        elif tag == "option" and self._select:
            if "selected" in found or self._select not in self.data:
                self.data[self._select] = found.get("value", "")
        elif tag == "textarea":
            self._textarea, self.data[name] = name, ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "template":
            self._template -= 1
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.data[self._textarea] += data


def form_as_shown(html: str) -> dict[str, str]:
    reader = FormReader()
    reader.feed(html)
    reader.data.pop("csrfmiddlewaretoken", None)
    return reader.data
