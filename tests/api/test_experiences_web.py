"""The experience pages in the reader's language, linked from the recipe page."""

from __future__ import annotations

from fastapi.testclient import TestClient

from commonpot.db import Database
from commonpot.settings import Settings
from tests.factories.experiences import make_experience_world

ES = {"Accept-Language": "es-MX,es;q=0.9"}


def test_scene_twin_and_default_chapters_speak_spanish(
    client: TestClient, db: Database, settings: Settings
) -> None:
    xw = make_experience_world(db, settings.data_dir)
    base = f"/communities/publicville/recipes/{xw.rw.public_recipe}"
    recipe = client.get(base, headers=ES)
    assert f'href="{base}/experience"' in recipe.text
    assert f'href="{base}/experience/text"' in recipe.text
    assert "Vivir su historia en 3D" in recipe.text
    scene = client.get(f"{base}/experience", headers=ES)
    assert "Capítulo siguiente" in scene.text and "Leer esta historia como texto" in scene.text
    assert 'type="application/json" id="experience-data"' in scene.text
    assert '<script src="/static/vendor/experience.js" type="module"></script>' in scene.text
    twin = client.get(f"{base}/experience/text", headers=ES)
    assert "Todos los pasos" in twin.text and "Simmer the pork." in twin.text
    chapters = client.get(f"/api{base}/experience", headers=ES).json()["chapters"]
    assert [c["title"] for c in chapters[1:]] == ["Paso 1", "Paso 2", "Las generaciones"]
    english = client.get(f"/api{base}/experience").json()["chapters"]
    assert [c["title"] for c in english[1:]] == ["Step 1", "Step 2", "The generations"]
