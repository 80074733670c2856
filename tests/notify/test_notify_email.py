"""`mailto://` in plain mode against a real SMTP server (aiosmtpd) on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from email import message_from_bytes
from email.message import Message
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from alertctl.config.runtime import Notify
from tests.notify.harness import Harness, channel
from tests.notify.receivers import free_port


class Mailbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:  # noqa: N802
        self.messages.append(message_from_bytes(envelope.content))  # type: ignore[attr-defined]
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[Mailbox, int]]:
    mailbox, port = Mailbox(), free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield mailbox, port
    finally:
        controller.stop()


def _text(message: Message) -> str:
    parts = message.walk() if message.is_multipart() else [message]
    return "".join(p.get_payload(decode=True).decode() for p in parts if p.get_content_type() == "text/plain")


def test_an_alert_opening_and_recovering_arrives_by_mail(tmp_path: Path, smtp: tuple[Mailbox, int]) -> None:
    mailbox, port = smtp
    url = f"mailto://127.0.0.1:{port}?from=alertctl@example.com&to=ops@example.com&mode=insecure"
    h = Harness(tmp_path, Notify(channels=(channel("mail", url),)))
    h.step(1000.0, 99)
    h.step(1010.0, 10)
    opened, resolved = mailbox.messages
    assert opened["Subject"].startswith("[CRITICAL] q-high on web-01")
    assert opened["To"] == "ops@example.com"
    assert "q.value is 99 (critical above 95, exceeded by 4.2%) on web-01" in _text(opened)
    assert resolved["Subject"].startswith("[RESOLVED] q-high on web-01")
    assert h.notices()[-1] == ("resolved", "mail", "recovered", "delivered")
