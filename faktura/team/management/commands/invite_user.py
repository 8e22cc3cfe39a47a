"""python manage.py invite_user EMAIL [--url URL] [--role ROLE] [--first-name …] [--last-name …]

Invites a user as a super admin would from Settings → Users, and prints the invitation link too,
for handing over by hand when no mail server is set up."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from faktura.accounts.models import Role
from faktura.accounts.services import invoice_link_base
from faktura.core.actors import Actor
from faktura.core.errors import RuleViolation
from faktura.team import invitations, services


class Command(BaseCommand):
    help = "Invite a user by email: they get a link to choose their password."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", help="Where the invitation goes; also their username.")
        parser.add_argument(
            "--url",
            default="",
            help="The address Faktura is served at, e.g. https://faktura.example.com: the "
            "invitation link points there. Default: the invoice domain set in Settings, else "
            "FAKTURA_BASE_URL.",
        )
        parser.add_argument(
            "--role", choices=Role.values, default=Role.VIEWER, help="Default: viewer."
        )
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        options["url"] = options["url"] or invoice_link_base()
        if not options["url"].startswith(("http://", "https://")):
            raise CommandError(
                f"--url must be the address Faktura is served at, starting with http:// or "
                f"https://, got '{options['url']}'."
            )
        try:
            user = services.invite_user(
                actor=Actor.system("invite_user command"),
                email=options["email"],
                role=options["role"],
                base_url=options["url"],
                first_name=options["first_name"],
                last_name=options["last_name"],
            )
        except RuleViolation as refusal:
            raise CommandError(refusal.reason) from refusal
        self.stdout.write(invitations.invitation_link(user, options["url"]))
        self.stderr.write(
            f"Invited {user.email} as {Role(user.role).label}; the email is queued. The link "
            f"above works once, for {invitations.INVITATION_VALID_FOR.days} days.",
            style_func=lambda line: line,
        )
