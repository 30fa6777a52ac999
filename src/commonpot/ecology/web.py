"""Ecology pages: the section's router, made of `web_inventory` (ratings, inventory, seed
bank) and `web_plans` (impact assessments, crop plans, food access)."""

from __future__ import annotations

from fastapi import APIRouter

from commonpot.ecology import web_inventory, web_plans

router = APIRouter(include_in_schema=False)
router.include_router(web_inventory.router)
router.include_router(web_plans.router)
SECTION = {
    "label": "Ecology",
    "path": "ecology",
    "order": 50,
    "blurb": "How diverse our domes are, our seed bank, and plans to share seed fairly.",
}
