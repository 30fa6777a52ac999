"""Hostile recipe archives: bombs, damaged zips, climbing names: refused, fast, nothing stored."""

from __future__ import annotations

import asyncio
import io
import json
import re
import stat
import time
import zipfile
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from commonpot.cli import main
from commonpot.db import Database
from commonpot.errors import Invalid, PayloadTooLarge
from commonpot.recipes.archives import recipes_from_archive
from commonpot.recipes.models import Recipe
from tests.factories.accounts import bearer
from tests.factories.loops import in_own_loop
from tests.factories.recipes import make_recipe_world

FIXTURES = Path(__file__).parent.parent / "fixtures" / "recipes"
BASE = "/api/communities/publicville/recipes"
MB = 1024 * 1024
RECIPE = json.dumps({"@context": "https://schema.org", "@type": "Recipe", "name": "Soup"}).encode()


def _zip(files: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=method, compresslevel=9) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _zeros_entry(name: str, size: int) -> bytes:
    """A zip with one entry of `size` zero bytes, written in chunks (a high-ratio entry)."""
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive,
        archive.open(name, "w", force_zip64=True) as entry,
    ):
        block = bytes(MB)
        for _ in range(size // MB):
            entry.write(block)
    return buffer.getvalue()


def nested_bomb() -> bytes:
    """Twenty inner zips, each unpacking to 20 MB of zeros, plus one real recipe."""
    inner = _zeros_entry("recipe.json", 20 * MB)
    return _zip({**{f"{i}.zip": inner for i in range(20)}, "real.jsonld": RECIPE})


def high_ratio() -> bytes:
    """One JSON entry of 200 MB of zeros (about 200 KB packed)."""
    return _zeros_entry("recipes/big.json", 200 * MB)


def lying_header() -> bytes:
    """A 40 MB entry whose header claims it unpacks to 10 bytes."""
    content = bytearray(_zeros_entry("a.json", 40 * MB))
    with zipfile.ZipFile(io.BytesIO(bytes(content))) as archive:
        info = archive.infolist()[0]
    # the size in the central directory (and zip64 extra) is what zipfile believes
    central = content.rfind(b"PK\x01\x02")
    content[central + 24 : central + 28] = (10).to_bytes(4, "little")
    extra_at = central + 46 + len(info.filename)
    extra = content[extra_at : extra_at + 4 + 16]
    if extra[:2] == b"\x01\x00":  # zip64: uncompressed size comes first
        content[extra_at + 4 : extra_at + 12] = (10).to_bytes(8, "little")
    return bytes(content)


def bad_crc() -> bytes:
    content = bytearray(_zip({"r.json": RECIPE * 20}, method=zipfile.ZIP_STORED))
    at = content.find(b"Soup")
    content[at : at + 4] = b"Soap"
    return bytes(content)


def truncated() -> bytes:
    content = _zip({"r.json": RECIPE * 500})
    central = content.rfind(b"PK\x01\x02")
    # keep the directory, lose half of the packed data: the reader runs out mid-entry
    return content[:40] + content[central:]


def _with_link() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        info = zipfile.ZipInfo("link.json")
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(info, "/etc/passwd")
    return buffer.getvalue()


def _deeper() -> bytes:
    return _zip({"outer.zip": _zip({"inner.zip": _zip({"r.jsonld": RECIPE})})})


HOSTILE = {
    "nested bomb": (nested_bomb, PayloadTooLarge),
    "high ratio": (high_ratio, PayloadTooLarge),
    "lying header": (lying_header, (PayloadTooLarge, Invalid)),
    "bad crc": (bad_crc, Invalid),
    "truncated": (truncated, Invalid),
    "dot dot": (lambda: _zip({"../../etc/r.jsonld": RECIPE}), Invalid),
    "absolute": (lambda: _zip({"/etc/r.jsonld": RECIPE}), Invalid),
    "windows absolute": (lambda: _zip({"C:\\r.jsonld": RECIPE}), Invalid),
    "symlink": (_with_link, Invalid),
    "three levels": (_deeper, Invalid),
}


@pytest.fixture(scope="module")
def hostile() -> dict[str, bytes]:
    return {name: build() for name, (build, _) in HOSTILE.items()}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_engine_refuses_hostile_archives(name: str, hostile: dict[str, bytes]) -> None:
    started = time.perf_counter()
    with pytest.raises(HOSTILE[name][1]):
        recipes_from_archive(hostile[name])
    assert time.perf_counter() - started < 3


def test_packed_size_of_the_nested_bomb_is_small(hostile: dict[str, bytes]) -> None:
    # the point of a bomb: tiny upload, 400 MB unpacked across levels
    assert len(hostile["nested bomb"]) < 2 * MB


def test_a_tandoor_export_is_still_one_level_of_zips() -> None:
    inner = _zip({"recipe.json": (FIXTURES / "tandoor_recipe.json").read_bytes()})
    (recipe,) = recipes_from_archive(_zip({"1.zip": inner, "2.txt": b"ignored"}))
    assert recipe.name == "Bigos"


def _count(db: Database) -> int:
    with db.unit_of_work(write=False) as s:
        return int(s.scalar(select(func.count(Recipe.id))) or 0)


def test_api_refuses_hostile_archives_and_stores_nothing(
    client: TestClient, db: Database, hostile: dict[str, bytes]
) -> None:
    rw = make_recipe_world(db)
    headers = bearer(db, rw.world.member)
    before = _count(db)
    for name, content in hostile.items():
        started = time.perf_counter()
        response = client.post(
            f"{BASE}/import-file",
            files={"file": ("export.zip", content, "application/zip")},
            headers=headers,
        )
        assert response.status_code in (413, 422), (name, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
        assert time.perf_counter() - started < 4, name
    assert _count(db) == before


def test_web_import_refuses_a_damaged_archive(
    client: TestClient, db: Database, hostile: dict[str, bytes]
) -> None:
    from tests.factories.accounts import form, sign_in

    rw = make_recipe_world(db)
    sign_in(client, db, rw.world.member)
    before = _count(db)
    response = client.post(
        "/communities/publicville/recipes/import",
        data=form({"url": "", "content": ""}),
        files={"file": ("export.zip", hostile["bad crc"], "application/zip")},
        follow_redirects=False,
    )
    assert response.status_code == 303  # files are unpacked in the background
    job_url = response.headers["location"]
    assert client.app.state.jobs.drain() >= 1  # type: ignore[attr-defined]
    page = client.get(job_url).text
    assert re.search(r'<p id="job-error" class="flash flash-error" >[^<]*damaged', page), page
    assert _count(db) == before


def test_import_does_not_block_the_event_loop(
    app: FastAPI, db: Database, hostile: dict[str, bytes]
) -> None:
    rw = make_recipe_world(db)
    headers = bearer(db, rw.world.member)

    async def scenario() -> tuple[float, float, int]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            started = time.perf_counter()

            async def bomb() -> int:
                files = {"file": ("export.zip", hostile["nested bomb"], "application/zip")}
                response = await http.post(f"{BASE}/import-file", files=files, headers=headers)
                return response.status_code

            async def health() -> float:
                await asyncio.sleep(0.05)
                response = await http.get("/healthz")
                assert response.status_code == 200
                return time.perf_counter() - started

            task = asyncio.ensure_future(bomb())
            healthy_at = await health()
            status = await task
            return healthy_at, time.perf_counter() - started, status

    healthy_at, done_at, status = in_own_loop(scenario)
    assert status == 413
    # /healthz answered while the archive was still being unpacked in a worker thread
    assert healthy_at < done_at


def test_cli_import_of_hostile_archives_exits_2(
    cli_db: Database,
    hostile: dict[str, bytes],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    make_recipe_world(cli_db)
    before = _count(cli_db)
    for name in ("nested bomb", "bad crc", "dot dot", "truncated"):
        path = tmp_path / f"{name.replace(' ', '_')}.zip"
        path.write_bytes(hostile[name])
        code = 0
        try:
            main(["recipes", "import", str(path), "--community", "publicville"])
        except SystemExit as exc:
            code = int(exc.code or 0)
        _, err = capsys.readouterr()
        assert code == 2, (name, err)
        assert err.strip().count("\n") == 0
        assert err.startswith("error:")
    assert _count(cli_db) == before
