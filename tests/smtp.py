"""A real SMTP server for tests: aiosmtpd on 127.0.0.1. It keeps what it receives, and can
answer with a refusal or be stopped, to play a server that says no or is down."""

from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from tests.postgres import _free_port

ACCEPTED = "250 Message accepted for delivery"


class SmtpServer:
    def __init__(self) -> None:
        self.port = _free_port()
        self.envelopes: list[Any] = []
        self.answer = ACCEPTED  # what DATA is answered with
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.running = False

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.answer == ACCEPTED:
            self.envelopes.append(envelope)
        return self.answer

    @property
    def messages(self) -> list[EmailMessage]:
        return [message_from_bytes(e.content, policy=policy.default) for e in self.envelopes]

    def recipients(self) -> list[list[str]]:
        """The SMTP envelope's recipients of each message (To and CC, never a header only)."""
        return [list(e.rcpt_tos) for e in self.envelopes]

    def mailer_settings(self) -> dict[str, Any]:
        return {
            "default": {
                "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "OPTIONS": {"host": "127.0.0.1", "port": self.port, "timeout": 5},
            }
        }

    def start(self) -> None:
        self._controller.start()
        self.running = True

    def stop(self) -> None:
        if self.running:
            self._controller.stop()
            self.running = False
