"""The locale a signed-in person types and reads amounts in, for the length of their request
(DOC-4): their own "Number and date format", else the account's invoice locale."""

from collections.abc import Callable
from functools import cache

from django.http import HttpRequest, HttpResponse

from faktura.accounts.services import user_locale
from faktura.core.locales import DEFAULT_LOCALE, locale_for_people


class UserLocaleMiddleware:
    """After AuthenticationMiddleware. Requests without a signed-in person (the buyer's page,
    the API with its tokens) keep the default; buyer pages write in the invoice's locale."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Worked out only when the page reads or writes a number, then once per request.
        @cache
        def resolve() -> str:
            user = getattr(request, "user", None)
            if user is None or not user.is_authenticated:
                return DEFAULT_LOCALE
            return user_locale(user)

        with locale_for_people(resolve):
            return self.get_response(request)
