"""Adapting a remote recipe: a member copies what a followed community shared into the
community's own archive as a variant, keeping lineage to the original across servers.

The origin's protocol travels with the adaptation: its labels are carried over unchanged
(so, as for any labelled recipe, a custodian or steward adapts a labelled one), attribution
names the origin community and its server, and a licence that allows no derivatives
(`-nd` Creative Commons licences) refuses the adaptation.
"""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from commonpot import recipes, tenancy
from commonpot.accounts import Viewer
from commonpot.communities import Community, require_member
from commonpot.errors import Conflict, Forbidden, Invalid
from commonpot.federation.models import Adaptation, RemoteItem
from commonpot.words import ENGLISH, Words

_NO_DERIVATIVES = re.compile(r"(?:^|[/_ -])(?:by-nc-nd|by-nd|nd)(?:[/_ .-]|$)", re.IGNORECASE)


def allows_adaptation(license_text: str) -> bool:
    """False for a licence that allows no derivative works (CC BY-ND, BY-NC-ND)."""
    return not _NO_DERIVATIVES.search(license_text or "")


def _recipe_in(item: RemoteItem, words: Words = ENGLISH) -> recipes.RecipeIn:
    origin = f"{item.origin_name} ({item.domain})" if item.origin_name else item.domain
    parts = {"recipe": item.name, "origin": origin, "license": item.license}
    if item.license:
        credit = words.gettext("Adapted from “%(recipe)s” by %(origin)s, %(license)s") % parts
    else:
        credit = words.gettext("Adapted from “%(recipe)s” by %(origin)s") % parts
    steps = [s for s in item.steps if isinstance(s, str) and s][:200]
    return recipes.RecipeIn(
        name=item.name[:200],
        description=item.summary[:5000],
        ingredients=[i[:500] for i in item.ingredients if isinstance(i, str) and i][:200],
        sections=[recipes.SectionIn(steps=steps)] if steps else [],
        source_url=item.url or None,
        credit_text=credit[:300],
        labels=[x["code"] for x in item.labels if isinstance(x, dict) and "code" in x],
        lineage=[
            {
                "name": (item.origin_name or item.domain)[:200],
                "relation": words.gettext("Community of origin"),
                "place": item.domain[:200],
                "note": item.url or item.object_id,
            }
        ],
    )


def adapt(
    session: Session,
    community: Community,
    viewer: Viewer,
    item_id: int,
    words: Words = ENGLISH,
) -> Adaptation:
    """A member adapts a remote recipe into the archive; returns its lineage record.

    The credit line and lineage are written in the adapting reader's `words`."""
    member = require_member(session, community, viewer)
    item = tenancy.get_scoped(session, RemoteItem, item_id, community.id)
    if item.kind != "recipe":
        raise Invalid("Only recipes can be adapted.", field="item_id")
    if not allows_adaptation(item.license):
        raise Forbidden("The origin's licence does not allow adaptations.")
    existing = session.scalar(
        select(Adaptation).where(
            Adaptation.community_id == community.id, Adaptation.object_id == item.object_id
        )
    )
    if existing is not None:
        raise Conflict("This recipe was already adapted here.")
    try:
        recipe = recipes.create_recipe(session, community, viewer, _recipe_in(item, words))
    except Forbidden as exc:
        if item.labels:  # labels are set by the community's keepers, adapted ones too
            raise Forbidden(
                "This recipe carries protocol labels: a custodian or steward adapts it."
            ) from exc
        raise
    row = Adaptation(
        community_id=community.id,
        recipe_id=recipe.id,
        object_id=item.object_id,
        origin_actor=item.origin_actor,
        origin_name=item.origin_name,
        url=item.url,
        license=item.license,
        created_by_id=member.user_id,
    )
    session.add(row)
    session.flush()
    return row


def adaptations(session: Session, community: Community) -> dict[str, int]:
    """Remote object id → local recipe id, for what this community adapted."""
    rows = session.execute(
        select(Adaptation.object_id, Adaptation.recipe_id).where(
            Adaptation.community_id == community.id
        )
    )
    return {str(object_id): int(recipe_id) for object_id, recipe_id in rows}
