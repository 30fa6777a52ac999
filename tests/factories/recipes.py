"""Factories for recipes: inputs, stored recipes, and a world with a community-only recipe."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from commonpot.accounts.models import User
from commonpot.accounts.service import Viewer
from commonpot.communities.models import Community
from commonpot.db import Database
from commonpot.recipes import service
from commonpot.recipes.models import Recipe
from commonpot.recipes.schemas import LineageIn, RecipeIn, SectionIn
from tests.factories.accounts import World, make_world

_counter = itertools.count(1)


def recipe_in(**fields: Any) -> RecipeIn:
    """A complete, realistic recipe input; override any field."""
    n = next(_counter)
    data: dict[str, Any] = {
        "name": f"Pozole verde {n}",
        "description": "Hominy stew with green chile, the way Abuela Carmen made it.",
        "language": "es",
        "ingredients": [
            "1 kg pork shoulder, cubed",
            "2 cups hominy",
            "3 cloves garlic",
            "1 tsp salt",
            "salt to taste",
        ],
        "sections": [SectionIn(name=None, steps=["Simmer the pork.", "Add the hominy."])],
        "recipe_yield": "6 bowls",
        "servings": 6,
        "cook_time": "2 hours",
        "cuisine": "Mexican",
        "tags": ["Feast", "winter"],
        "origin_place": "Guerrero",
        "origin_region": "Mexico",
        "storytellers": "Rosa Delgado",
        "story": "Every Christmas Eve the whole street came for a bowl.",
        "lineage": [
            LineageIn(name="Carmen Ruiz", generation=1, relation="grandmother", period="1920s"),
            LineageIn(name="Rosa Delgado", generation=2, relation="mother"),
        ],
    }
    data.update(fields)
    return RecipeIn(**data)


def make_recipe(session: Session, community: Community, user: User, **fields: Any) -> Recipe:
    """Store a recipe as `user` (who must be a member; labels need a keeper)."""
    return service.create_recipe(session, community, Viewer(user=user), recipe_in(**fields))


@dataclass
class RecipeWorld:
    """The standard World plus recipes: public, community-only, and in the private community."""

    world: World
    public_recipe: int
    community_recipe: int
    private_recipe: int


def make_recipe_world(db: Database) -> RecipeWorld:
    """A world with a public recipe, a TK Community Use Only one, and a private community's one."""
    world = make_world(db)
    with db.unit_of_work() as s:
        public = make_recipe(s, world.public, world.member, name="Three sisters soup")
        restricted = make_recipe(
            s,
            world.public,
            world.custodian,
            name="Grandmother's sacred corn mush",
            ingredients=["2 cups blue cornmeal", "4 cups water"],
            labels=["TK CO"],
            tags=["ceremony"],
        )
        private = make_recipe(
            s, world.private, world.private_member, name="Hillside plum dumplings"
        )
        return RecipeWorld(world, public.id, restricted.id, private.id)


def wav_bytes(seconds: float = 1.0, rate: int = 8000) -> bytes:
    """A real mono 16-bit WAV file of silence, written with the standard library."""
    import io
    import wave

    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(b"\x00\x00" * int(rate * seconds))
    return buffer.getvalue()


def mp3_bytes(frames: int = 40, id3: bool = True) -> bytes:
    """MPEG-1 Layer III frames (128 kbit/s, 44.1 kHz, silence), optionally after an ID3v2 tag."""
    header = bytes([0xFF, 0xFB, 0x90, 0x64])  # 128 kbit/s, 44100 Hz, no padding, joint stereo
    frame = header + bytes(417 - 4)  # 144 * 128000 / 44100 = 417 bytes a frame
    tag = b"ID3\x03\x00\x00\x00\x00\x00\x0a" + bytes(10) if id3 else b""
    return tag + frame * frames


def ogg_opus_bytes(seconds: float = 2.0) -> bytes:
    """Two Ogg pages: an OpusHead packet, then a last page whose granule gives the length."""
    import struct

    def page(granule: int, sequence: int, packet: bytes, flags: int) -> bytes:
        head = b"OggS" + bytes([0, flags]) + struct.pack("<qIII", granule, 7, sequence, 0)
        return head + bytes([1, len(packet)]) + packet

    opus_head = b"OpusHead" + bytes([1, 1]) + struct.pack("<HIhB", 312, 48000, 0, 0)
    last = page(int(seconds * 48000) + 312, 1, b"\x00" * 20, 4)
    return page(0, 0, opus_head, 2) + last
