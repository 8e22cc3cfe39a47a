"""Every request's address and query string checked once, before any view reads it: a control
character or lone surrogate there (`/contacts/?q=a%00b`) is refused with 400 and a sentence,
where it would otherwise reach the database (PostgreSQL fails on NUL) from any search, filter
or lookup. Bodies are checked by the forms, the API's parser and the imports."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext

from faktura.core.text_input import printable, text_problem

# How a refusal is answered under a path prefix; the API registers its own error shape.
refusal_responses: dict[str, Callable[[str], HttpResponse]] = {}


def query_problem(request: HttpRequest) -> str | None:
    """Why the request's address or query string is refused, or None."""
    if problem := text_problem(request.path, gettext("The address")):
        return problem
    for name, values in request.GET.lists():
        where = gettext("The parameter “%(name)s”") % {"name": printable(name)}
        for text in (name, *values):
            if problem := text_problem(text, where):
                return problem
    return None


class QueryTextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        problem = query_problem(request)
        if problem is None:
            return self.get_response(request)
        for prefix, answer in refusal_responses.items():
            if request.path.startswith(prefix):
                return answer(problem)
        return render(request, "400.html", {"reason": problem}, status=400)
