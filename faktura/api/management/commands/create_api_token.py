"""python manage.py create_api_token NAME --scopes SCOPE [SCOPE ...] [--user USERNAME]

Prints the token alone on stdout (so a script can capture it) and what it may do on stderr."""

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from faktura.api.scopes import ALL_SCOPES, label_of
from faktura.api.tokens import create_token
from faktura.core.actors import Actor
from faktura.core.errors import RuleViolation


class Command(BaseCommand):
    help = (
        "Create an API token and print it (shown only once). Scopes: "
        + ", ".join(name for name, _ in ALL_SCOPES)
        + "; or 'all'."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="What the token is for, e.g. 'Accounting sync'.")
        parser.add_argument(
            "--scopes",
            nargs="+",
            required=True,
            metavar="SCOPE",
            help="Scopes to grant (space or comma separated), or 'all'.",
        )
        parser.add_argument(
            "--user",
            metavar="USERNAME",
            help="A super admin the token acts for (recorded as its creator); without it the "
            "token acts for the system.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        scopes = [s.strip() for value in options["scopes"] for s in value.split(",") if s.strip()]
        if [s.lower() for s in scopes] == ["all"]:
            scopes = [name for name, _ in ALL_SCOPES]
        actor = Actor.system("create_api_token command")
        if username := options.get("user"):
            user = get_user_model()._default_manager.filter(username=username).first()
            if user is None:
                raise CommandError(f"No user is named '{username}'. Check the username.")
            actor = Actor.for_user(user)
        try:
            token, raw = create_token(actor=actor, name=options["name"], scopes=scopes)
        except RuleViolation as refusal:
            raise CommandError(refusal.reason) from refusal
        self.stdout.write(raw)
        self._note(
            f"Created API token “{token.name}” ({token.masked}). Copy it now: it is not shown "
            "again. It may use:"
        )
        for scope in token.scopes:
            self._note(f"  {scope:<36} {label_of(scope)}")

    def _note(self, text: str) -> None:
        # stderr carries information here, not an error: no red.
        self.stderr.write(text, style_func=lambda line: line)
