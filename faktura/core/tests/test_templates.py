"""Template hygiene: Django's {# #} comments end at the line end; a longer one shows on the page."""

import re
from pathlib import Path

import faktura

ROOT = Path(faktura.__file__).parent


def test_no_template_comment_spans_lines():
    broken = [
        f"{path.relative_to(ROOT)}:{text[: match.start()].count(chr(10)) + 1}"
        for path in ROOT.rglob("templates/**/*.html")
        for text in [path.read_text(encoding="utf-8")]
        for match in re.finditer(r"\{#(?:(?!#\}).)*\n", text)
    ]
    assert broken == [], "Use {% comment %} for comments longer than a line: " + ", ".join(broken)
