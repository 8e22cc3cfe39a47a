from typing import Any

from django.core.management.base import BaseCommand

from faktura.demo.seed import seed_demo


class Command(BaseCommand):
    help = "Create the admin user and demo data in an empty database; prints the login."

    def handle(self, *args: Any, **options: Any) -> None:
        login = seed_demo()
        self.stdout.write(f"username: {login.username}\npassword: {login.password}")
