"""Factories for the platform: a real local SMTP server, big networks, job runtimes."""

from __future__ import annotations

import email
import email.policy
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import Message
from typing import Any

from aiosmtpd.controller import Controller
from sqlalchemy import func, insert, select

from commonpot.accounts.models import User
from commonpot.communities.models import Membership
from commonpot.db import Database
from commonpot.governance.models import Proposal
from commonpot.network.generate import uniform_square
from commonpot.network.models import Need, Offer


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Inbox:
    """What a local SMTP server received."""

    messages: list[Message] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        """aiosmtpd's hook: keep the parsed message."""
        with self.lock:
            self.messages.append(
                email.message_from_bytes(envelope.content, policy=email.policy.default)
            )
        return "250 OK"

    def to(self, address: str) -> list[Message]:
        """Messages sent to one address."""
        with self.lock:
            return [m for m in self.messages if m["To"] == address]


@contextmanager
def smtp_server() -> Iterator[tuple[str, Inbox]]:
    """A real SMTP server (aiosmtpd) on a free local port: (smtp URL, what arrives)."""
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield f"smtp://127.0.0.1:{port}", inbox
    finally:
        controller.stop()


def big_network(db: Database, community_id: int, user_id: int | None, n: int) -> None:
    """n open offers and n open needs (the issue's uniform-square generator), bulk inserted."""
    data = uniform_square(n, seed=7)
    with db.unit_of_work() as s:
        for chunk in range(0, n, 5000):
            s.execute(
                insert(Offer),
                [
                    {
                        "community_id": community_id,
                        "user_id": user_id,
                        "category": o["category"],
                        "quantity": o["quantity"],
                        "lat": o["lat"],
                        "lon": o["lon"],
                    }
                    for o in data["offers"][chunk : chunk + 5000]
                ],
            )
            s.execute(
                insert(Need),
                [
                    {
                        "community_id": community_id,
                        "user_id": user_id,
                        "category": x["category"],
                        "quantity": x["quantity"],
                        "lat": x["lat"],
                        "lon": x["lon"],
                    }
                    for x in data["needs"][chunk : chunk + 5000]
                ],
            )


def big_governance(db: Database, community_id: int, n: int) -> None:
    """n more members (users who cannot sign in) and n decided proposals, most carried out,
    numbered after the community's own, bulk inserted: years of a city group's decisions."""
    with db.unit_of_work() as s:
        first = 1 + int(
            s.scalar(select(func.max(Proposal.number)).where(Proposal.community_id == community_id))
            or 0
        )
        s.execute(
            insert(User),
            [
                {
                    "email": f"neighbour{i}@city.example",
                    "display_name": f"Neighbour {i:06d}",
                    "password_hash": "!",
                }
                for i in range(n)
            ],
        )
        users = s.scalars(select(User.id).where(User.email.like("neighbour%@city.example")))
        s.execute(
            insert(Membership),
            [{"community_id": community_id, "user_id": u, "role": "member"} for u in users],
        )
        s.execute(
            insert(Proposal),
            [
                {
                    "community_id": community_id,
                    "number": first + i,
                    "title": f"Decision {first + i}: share the harvest of plot {i % 97}",
                    "state": "defeated" if i % 4 == 0 else "executed",
                    "method": "majority",
                    "action_hash": "0" * 64,
                }
                for i in range(n)
            ],
        )


def body_text(message: Message) -> tuple[str, str]:
    """The plain-text and HTML parts of an e-mail."""
    text = html = ""
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            text = part.get_payload(decode=True).decode()  # type: ignore[union-attr]
        elif part.get_content_type() == "text/html":
            html = part.get_payload(decode=True).decode()  # type: ignore[union-attr]
    return text, html
