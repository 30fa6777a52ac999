"""Ecology pages as people read them: plain-word measures, evenness in words from the value,
flags explained, common crop names, food access in the community's units, Spanish."""

from __future__ import annotations

import html
import math
import re
from collections import defaultdict

from fastapi.testclient import TestClient
from sqlalchemy import select

from commonpot.accounts.service import Viewer
from commonpot.communities.models import Community, Place
from commonpot.db import Database
from commonpot.ecology import assessments, service
from commonpot.ecology.models import Planting
from commonpot.ecology.schemas import AssessmentIn, CropIn, PlantingIn
from tests.factories.accounts import form, make_place, make_world, sign_in
from tests.factories.ecology import seed_domes

PAGE = "/communities/publicville/ecology"
SPANISH = {"accept-language": "es-ES,es;q=0.9"}
# the bands the page promises, written out here (not read from the code)
BANDS = [
    (0.85, "space is shared evenly between them."),
    (0.70, "space is shared fairly evenly between them."),
    (0.50, "one or two crops take more space than the rest"),
    (0.0, "a few crops take most of the space"),
]


def _seeded(db: Database) -> object:
    w = make_world(db)
    with db.unit_of_work() as s:
        c = s.merge(w.public)
        ids = seed_domes(s, c, w.steward)
        viewer = Viewer(user=s.merge(w.steward))
        service.save_crop(s, c, viewer, CropIn(name="Zea mays", common_name="maize"))
        for variety, area in (("Hopi Blue", 8.0), ("Bloody Butcher", 4.0)):
            service.add_planting(
                s,
                c,
                viewer,
                PlantingIn(
                    place_id=ids["South Dome"], crop="Zea mays", area_m2=area, variety=variety
                ),
            )
        make_place(s, c, "Enclave 7", kind="enclave", lat=51.46, lon=-2.58, population=400)
    return w


def _items(page: str) -> list[str]:
    section = page.split('id="meaning-h"', 1)[1].split("</section>", 1)[0]
    items = re.findall(r"<li>(.*?)</li>", section, flags=re.S)
    return [" ".join(html.unescape(re.sub(r"<[^>]+>", " ", i)).split()) for i in items]


def test_ratings_speak_in_plain_words(client: TestClient, db: Database) -> None:
    _seeded(db)
    page = client.get(PAGE)
    assert page.status_code == 200
    text = page.text
    assert ">Effective number of crops</abbr>" in text
    assert 'title="¹D = exp(H)' in text
    assert ">Evenness</abbr>" in text
    assert "hill_1<" not in text and ">pielou_evenness" not in text
    # the wide table sits in a focusable, labelled scrolling region
    assert (
        'class="table-scroll" role="region" aria-labelledby="ratings-caption" tabindex="0"' in text
    )
    # common name beside the scientific name
    assert 'maize <i lang="la">(Zea mays)</i>' in text
    # each place's sentence follows from its evenness, computed here from the plantings
    with db.unit_of_work(write=False) as s:
        areas: dict[str, dict[int, float]] = defaultdict(lambda: defaultdict(float))
        for planting in s.scalars(select(Planting)):
            place = s.get(Place, planting.place_id)
            assert place is not None
            areas[place.name][planting.crop_id] += planting.area_m2
    lines = _items(text)
    checked = 0
    for name, crops in areas.items():
        values = list(crops.values())
        line = next(x for x in lines if x.startswith(f"{name} grows"))
        if len(values) == 1:
            assert "a single crop fills the place." in line
            checked += 1
            continue
        total = sum(values)
        shannon = -sum(v / total * math.log(v / total) for v in values)
        evenness = shannon / math.log(len(values))
        expected = next(t for floor, t in BANDS if evenness >= floor)
        assert expected in line, (name, evenness, line)
        assert f"evenness {evenness:.2f} of 1" in line
        others = [t for _, t in BANDS if t != expected]
        assert not any(o in line for o in others)
        checked += 1
    assert checked == 3


def test_ratings_in_spanish(client: TestClient, db: Database) -> None:
    _seeded(db)
    page = client.get(PAGE, headers=SPANISH)
    assert ">Número efectivo de cultivos</abbr>" in page.text
    assert "El lugar menos diverso es" in page.text
    assert "un solo cultivo llena el lugar." in page.text or "equidad" in page.text
    assert "least diverse place" not in page.text
    assert "cuántos cultivos distintos crecen allí" in page.text  # what the measures mean


def test_gamed_assessment_explains_each_flag_in_words(client: TestClient, db: Database) -> None:
    w = _seeded(db)
    gamed = "sample,Zea mays,Capsicum annuum,Okra,Allium cepa\nSouth Dome,130,10,0.2,0.2\n"
    with db.unit_of_work() as s:
        c = s.scalar(select(Community).where(Community.slug == "publicville"))
        assert c is not None
        found = assessments.create_assessment(
            s,
            c,
            Viewer(user=s.merge(w.steward)),
            AssessmentIn(title="Maize deal", after_csv=gamed),  # type: ignore[attr-defined]
        )
        number = found.id
    sign_in(client, db, w.member)  # type: ignore[attr-defined]
    page = client.get(f"{PAGE}/assessments/{number}")
    assert page.status_code == 200
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", "", page.text)).split())
    assert "Warning: this change looks gamed" in text
    # South Dome had capsicum and two maize plots (2 crops); okra and onion are tokens
    assert (
        "South Dome: 2 newly listed crops (Okra, Allium cepa) together take up only 0.3 %" in text
    )
    assert "Without them the place would count 2 crops against 2 before" in text
    spanish = client.get(f"{PAGE}/assessments/{number}", headers=SPANISH)
    assert "cultivos nuevos en la lista" in spanish.text
    assert "Sin ellos el lugar contaría" in spanish.text


def test_food_access_in_the_communitys_units(client: TestClient, db: Database) -> None:
    w = _seeded(db)
    sign_in(client, db, w.member)  # type: ignore[attr-defined]
    metric = client.get(f"{PAGE}/food-access")
    assert "Distance (km)" in metric.text
    assert "Food space within reach per person (m²)" in metric.text
    assert "miles" not in metric.text.split('id="homes-caption"')[1].split("</ul>")[0]
    # a member may not choose the units
    refused = client.post(f"{PAGE}/food-access/units", data=form({"unit_system": "imperial"}))
    assert refused.status_code == 403
    sign_in(client, db, w.steward)  # type: ignore[attr-defined]
    bad = client.post(f"{PAGE}/food-access/units", data=form({"unit_system": "furlongs"}))
    assert bad.status_code == 422
    assert 'aria-invalid="true"' in bad.text
    with db.unit_of_work(write=False) as s:
        c = s.scalar(select(Community).where(Community.slug == "publicville"))
        assert c is not None and "unit_system" not in (c.settings or {})
    saved = client.post(
        f"{PAGE}/food-access/units", data=form({"unit_system": "imperial"}), follow_redirects=False
    )
    assert saved.status_code == 303
    imperial = client.get(f"{PAGE}/food-access?reach=1")
    assert "Distance (miles)" in imperial.text
    assert "Food space within reach per person (ft²)" in imperial.text
    assert "Walking reach (miles)" in imperial.text
    # 0.5 miles shown as 0.5 miles, not as its km equivalent
    assert "more than 0.5 miles away" in imperial.text
    assert "Distance (km)" not in imperial.text
    spanish = client.get(f"{PAGE}/food-access", headers=SPANISH)
    assert "Distancia (millas)" in spanish.text
    assert "a más de 0,5 millas" in spanish.text
