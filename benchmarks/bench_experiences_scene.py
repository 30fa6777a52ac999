"""Experience scene budgets: all JavaScript of the scene page gzipped (budget 300 KB), and per
demo recipe the first frame in headless Chromium with software WebGL (budget 5 s) with
`renderer.info` draw calls and triangles of that frame (the hearth view, after frustum
culling) and the whole scene's objects and triangles. Baselines measured in the same run: the recipe
page's own JavaScript, and the time to the recipe page's `load` event.

Run: .venv/bin/python benchmarks/bench_experiences_scene.py [--quick]
(needs `make setup`, which bundles static/vendor/experience.js)
"""

from __future__ import annotations

import argparse
import gzip
import re
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import uvicorn
from playwright.sync_api import sync_playwright
from sqlalchemy import select

from commonpot import demo, migrate
from commonpot.app import create_app
from commonpot.communities.models import Community
from commonpot.recipes.models import Recipe
from commonpot.settings import Settings
from commonpot.wiring import open_database

STATIC = Path(__file__).resolve().parent.parent / "src/commonpot"
BUDGET_JS = 300 * 1024
BUDGET_FRAME_MS = 5000
GL_ARGS = [
    "--no-sandbox",
    "--enable-unsafe-swiftshader",
    "--use-angle=swiftshader",
    "--ignore-gpu-blocklist",
    "--no-first-run",
    "--disable-background-networking",
]


def gzipped_scripts(html: str) -> tuple[int, list[tuple[str, int]]]:
    """Total and per-file gzip -9 size of every <script src> the page loads."""
    sizes = []
    for src in re.findall(r'<script[^>]*\bsrc="(/static/[^"]+)"', html):
        body = (STATIC / src.lstrip("/")).read_bytes()
        sizes.append((src, len(gzip.compress(body, 9))))
    return sum(s for _src, s in sizes), sizes


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="only the first three recipes")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        migrate.upgrade(url)
        port = _free_port()
        settings = Settings(
            database_url=url,
            secret_key="bench-" + "x" * 40,
            data_dir=Path(tmp) / "var",
            base_url=f"http://127.0.0.1:{port}",
            jobs_embedded=0,
        )
        db = open_database(url)
        with db.unit_of_work() as session:
            demo.load(session, data_dir=settings.data_dir)
        with db.unit_of_work(write=False) as session:
            riverside = session.scalar(select(Community.id).where(Community.slug == "riverside"))
            recipes = list(
                session.execute(
                    select(Recipe.id, Recipe.name).where(Recipe.community_id == riverside)
                )
            )
        server = uvicorn.Server(
            uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="error")
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.05)
        base = f"http://127.0.0.1:{port}/communities/riverside/recipes"
        try:
            _measure(base, recipes[:3] if args.quick else recipes)
        finally:
            server.should_exit = True
            thread.join(timeout=10)
            db.dispose()


def _measure(base: str, recipes: list[tuple[int, str]]) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", headless=True, args=GL_ARGS
        )
        page = browser.new_page(viewport={"width": 1100, "height": 820})
        # signed in as Rosa, a custodian: every demo recipe, community-only ones too
        page.goto(base.split("/communities", maxsplit=1)[0] + "/login")
        page.get_by_label("E-mail").fill("rosa@riverside.example")
        page.get_by_label("Password").fill(demo.DEMO_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state("networkidle")
        first_id = recipes[0][0]
        page.goto(f"{base}/{first_id}/experience")
        scene_total, scene_files = gzipped_scripts(page.content())
        page.goto(f"{base}/{first_id}")
        recipe_total, _ = gzipped_scripts(page.content())
        print("scene page JavaScript, gzip -9:")
        for src, size in scene_files:
            print(f"  {src:45s} {size / 1024:7.1f} KB")
        print(
            f"  total {scene_total / 1024:.1f} KB (budget {BUDGET_JS / 1024:.0f} KB, "
            f"{scene_total / BUDGET_JS:.0%} of it); recipe page's own {recipe_total / 1024:.1f} KB,"
            f" ratio {scene_total / recipe_total:.1f}x"
        )
        print("\nper demo recipe (headless Chromium, SwiftShader WebGL):")
        print(
            f"  {'recipe':36s} {'frame ms':>9s} {'page ms':>8s} {'calls':>6s} {'tris':>6s}"
            f" {'objects':>8s} {'all tris':>8s}"
        )
        worst = 0.0
        for rid, name in recipes:
            started = time.perf_counter()
            page.goto(f"{base}/{rid}", wait_until="load")
            recipe_ms = (time.perf_counter() - started) * 1000
            page.goto(f"{base}/{rid}/experience?ack=1")
            stage = page.locator("#scene-stage[data-state=ready]")
            stage.wait_for(timeout=30_000)
            frame_ms = float(stage.get_attribute("data-first-frame-ms") or "nan")
            calls = stage.get_attribute("data-draw-calls")
            triangles = stage.get_attribute("data-triangles")
            objects = stage.get_attribute("data-scene-objects")
            everything = stage.get_attribute("data-scene-triangles")
            worst = max(worst, frame_ms)
            print(
                f"  {name[:36]:36s} {frame_ms:9.0f} {recipe_ms:8.0f} {calls:>6s} {triangles:>6s}"
                f" {objects:>8s} {everything:>8s}"
            )
        print(
            f"\nslowest first frame {worst:.0f} ms (budget {BUDGET_FRAME_MS} ms, "
            f"{worst / BUDGET_FRAME_MS:.0%} of it)"
        )
        browser.close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


if __name__ == "__main__":
    main()
