"""A real SMTP server for tests: aiosmtpd on 127.0.0.1. It keeps what it receives, and can
answer with a refusal or be stopped, to play a server that says no or is down; and a silent
server, to play one that accepts the connection and never answers."""

import asyncio
import socket
import threading
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
        # Keep the client waiting once its message is in (set `received`), until released.
        self.hold = False
        self.received = threading.Event()
        self.release = threading.Event()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.running = False

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received.set()
        while self.hold and not self.release.is_set():
            await asyncio.sleep(0.05)
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
        self.release.set()
        if self.running:
            self._controller.stop()
            self.running = False


class SilentServer:
    """A listener on 127.0.0.1 that accepts every connection and never says a word: a mail
    server (or webhook receiver) that hangs. `accepted` is set once a client has connected."""

    def __init__(self) -> None:
        self._socket = socket.create_server(("127.0.0.1", 0))
        self.port = self._socket.getsockname()[1]
        self._socket.settimeout(0.1)  # to notice stop()
        self._stopping = threading.Event()
        self.accepted = threading.Event()
        self.connections: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stopping.is_set():
            try:
                client, _ = self._socket.accept()
            except TimeoutError:
                continue
            self.connections.append(client)  # held open, never answered
            self.accepted.set()

    def mailer_settings(self, timeout: float) -> dict[str, Any]:
        return {
            "default": {
                "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "OPTIONS": {"host": "127.0.0.1", "port": self.port, "timeout": timeout},
            }
        }

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join(5)
        self._socket.close()
        for client in self.connections:
            client.close()
