"""Ecology pages about what grows: diversity ratings, the inventory and taxonomy, the seed bank."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, Response

from commonpot.communities.scope import CommunityScope, Here
from commonpot.ecology import explain, service
from commonpot.ecology.schemas import CropIn, PlantingIn, SeedLotIn, read_in
from commonpot.ecology.web_forms import BASE, Failed, csv_text, form_values, show
from commonpot.errors import DomainError
from commonpot.http import PostedForm, verify_csrf_form
from commonpot.params import Id
from commonpot.templating import reader, redirect

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf_form)])


def _chart(report: dict[str, Any]) -> dict[str, Any]:
    alpha = report["alpha"]
    names = list(alpha)
    return {
        "labels": names,
        "series": [
            {
                "key": "richness",
                "label": "Crops grown",
                "data": [alpha[n]["hill_0"] or 0 for n in names],
            },
            {
                "key": "hill_1",
                "label": "Effective number of crops",
                "data": [alpha[n]["hill_1"] or 0 for n in names],
            },
            {
                "key": "hill_2",
                "label": "Effective number of common crops",
                "data": [alpha[n]["hill_2"] or 0 for n in names],
            },
        ],
    }


@router.get(BASE, response_class=HTMLResponse)
def ratings_page(request: Request, here: CommunityScope, level: str = "crop") -> Response:
    """Diversity ratings of every dome with charts and what they mean."""
    rated = service.ratings(here.session, here.community, here.viewer, level)
    chart = None if rated["empty"] else _chart(rated["report"])
    return show(
        request,
        here,
        "ecology/ratings.html",
        rated=rated,
        guide=explain.GUIDE,
        chart=chart,
        levels=service.LEVELS,
        compost=service.compost_by_place(here.session, here.community, here.viewer),
    )


# --- inventory and taxonomy -------------------------------------------------------------------


def _inventory(request: Request, here: Here, failed: Failed | None = None) -> Response:
    """The inventory page (again, with the form that failed as it was typed)."""
    session, community, viewer = here.session, here.community, here.viewer
    return show(
        request,
        here,
        "ecology/inventory.html",
        failed,
        plantings=service.plantings(session, community, viewer),
        crops=service.crops(session, community, viewer),
        places=service.growing_places(session, community),
        compost=service.compost_by_place(session, community, viewer),
    )


def _inventory_url(here: Here) -> str:
    return f"/communities/{here.community.slug}/ecology/inventory"


@router.get(BASE + "/inventory", response_class=HTMLResponse)
def inventory_page(request: Request, here: CommunityScope) -> Response:
    """Plantings per dome, the crop taxonomy, CSV import and export."""
    return _inventory(request, here)


@router.get(BASE + "/inventory.csv")
def inventory_csv(here: CommunityScope) -> Response:
    """Download the inventory as COUNTS.csv."""
    text = service.export_inventory_csv(here.session, here.community, here.viewer)
    name = f"{here.community.slug}-inventory.csv"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return PlainTextResponse(text, media_type="text/csv; charset=utf-8", headers=headers)


@router.post(BASE + "/inventory/import")
def import_inventory(request: Request, here: CommunityScope, posted: PostedForm) -> Response:
    """Replace the inventory of the domes named in an uploaded COUNTS.csv."""
    values: dict[str, str] = {}
    try:
        values = form_values(posted)
        with here.session.begin_nested():
            text = csv_text(values)
            count = service.import_inventory_csv(here.session, here.community, here.viewer, text)
    except DomainError as exc:
        values.pop("file", None)  # a file input cannot be filled in again
        return _inventory(request, here, Failed("import", exc, values))
    said = reader(request).ngettext(
        "Inventory imported: %(num)d planting.", "Inventory imported: %(num)d plantings.", count
    ) % {"num": count}
    return redirect(request, _inventory_url(here), said)


@router.post(BASE + "/plantings")
def add_planting(request: Request, here: CommunityScope, posted: PostedForm) -> Response:
    """Record a planting from the form."""
    values = form_values(posted)
    try:
        with here.session.begin_nested():
            body = read_in(PlantingIn, values)
            service.add_planting(here.session, here.community, here.viewer, body)
    except DomainError as exc:
        return _inventory(request, here, Failed("planting", exc, values))
    return redirect(request, _inventory_url(here), "Planting recorded.")


@router.post(BASE + "/plantings/{planting_id}/remove")
def remove_planting(planting_id: Id, request: Request, here: CommunityScope) -> Response:
    """Take a planting out of the inventory."""
    try:
        with here.session.begin_nested():
            service.remove_planting(here.session, here.community, here.viewer, planting_id)
    except DomainError as exc:
        return _inventory(request, here, Failed("remove", exc))
    return redirect(request, _inventory_url(here), "Planting removed.")


@router.post(BASE + "/crops")
def save_crop(request: Request, here: CommunityScope, posted: PostedForm) -> Response:
    """Add or update a crop in the taxonomy."""
    values = form_values(posted)
    try:
        with here.session.begin_nested():
            body = read_in(CropIn, values)
            service.save_crop(here.session, here.community, here.viewer, body)
    except DomainError as exc:
        return _inventory(request, here, Failed("crop", exc, values))
    return redirect(request, _inventory_url(here), "Crop saved.")


# --- seed bank --------------------------------------------------------------------------------


def _seeds(request: Request, here: Here, failed: Failed | None = None) -> Response:
    """The seed bank page (again, with the lot form as it was typed)."""
    return show(
        request,
        here,
        "ecology/seeds.html",
        failed,
        lots=service.seed_lots(here.session, here.community, here.viewer),
        places=service.growing_places(here.session, here.community),
    )


@router.get(BASE + "/seeds", response_class=HTMLResponse)
def seeds_page(request: Request, here: CommunityScope) -> Response:
    """The seed bank."""
    return _seeds(request, here)


@router.post(BASE + "/seeds")
def add_seed_lot(request: Request, here: CommunityScope, posted: PostedForm) -> Response:
    """Put seed in the bank from the form (stewards)."""
    values = form_values(posted)
    try:
        with here.session.begin_nested():
            body = read_in(SeedLotIn, values)
            service.add_seed_lot(here.session, here.community, here.viewer, body)
    except DomainError as exc:
        return _seeds(request, here, Failed("seed", exc, values))
    url = f"/communities/{here.community.slug}/ecology/seeds"
    return redirect(request, url, "Seed lot added to the bank.")
