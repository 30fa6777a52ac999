"""Demo federation: `lakeside`, a second public community, which `riverside` follows as if remote.

Both are served by this instance, so no HTTP happens at load time: the same code that
handles a signed Accept and Create{Article} from another server stores lakeside's public
recipes in riverside's "from other communities".
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from commonpot import events, recipes
from commonpot.accounts import OPERATOR, Viewer
from commonpot.communities import Community, add_member, create_community
from commonpot.db import utcnow
from commonpot.demo import DemoContext
from commonpot.federation import adapt, approvals, keys
from commonpot.federation.actors import remember_actor
from commonpot.federation.inbox import dispatch
from commonpot.federation.instance import Fed, context
from commonpot.federation.models import Follower, Following, RemoteItem, Report
from commonpot.federation.sharing import (
    event_document,
    recipe_document,
    shareable_events,
    shareable_recipes,
)
from commonpot.federation.vocab import activity
from commonpot.settings import get_settings
from commonpot.words import said

LAKESIDE_RECIPES: tuple[tuple[str, str, list[str], list[str], list[str]], ...] = (
    (
        "Lake trout smoked over alder",
        "How the lake families smoke their catch in autumn.",
        ["2 lake trout, gutted", "60 g coarse salt", "1 handful alder chips"],
        ["Salt the fish for two hours.", "Rinse and dry in the wind.", "Smoke over alder for 3 h."],
        ["TK A", "TK CV"],
    ),
    (
        "Wild rice and mushroom pilaf",
        "A harvest dish from the reed beds.",
        ["200 g wild rice", "250 g chanterelles", "1 onion", "500 ml stock"],
        ["Toast the rice.", "Fry onion and mushrooms.", "Simmer all in the stock for 40 minutes."],
        ["BC P"],
    ),
    (
        "Birch sap tea",
        "Spring tonic, drunk warm.",
        ["1 l fresh birch sap", "A few spruce tips"],
        ["Warm the sap without boiling.", "Steep the spruce tips for five minutes."],
        [],
    ),
)


def load(session: Session, ctx: DemoContext) -> None:
    """Create lakeside with recipes; riverside follows it and sees them as remote items."""
    lakeside = create_community(
        session,
        OPERATOR,
        slug="lakeside",
        name="Lakeside Kitchen Collective",
        description="Fishers and foragers by the lake, sharing smoke-house and reed-bed recipes.",
        location="Lakeside",
        lat=51.44,
        lon=-2.62,
        visibility="public",
        steward=ctx.users["wren"],
    )
    add_member(session, lakeside, ctx.users["jonah"], "custodian")
    ctx.communities["lakeside"] = lakeside
    steward = Viewer(user=ctx.users["wren"])
    for name, description, ingredients, steps, labels in LAKESIDE_RECIPES:
        recipes.create_recipe(
            session,
            lakeside,
            steward,
            recipes.RecipeIn(
                name=name,
                description=description,
                ingredients=ingredients,
                sections=[recipes.SectionIn(steps=steps)],
                labels=labels,
            ),
        )
    start = (utcnow() + timedelta(days=9)).replace(hour=17, minute=0, second=0, microsecond=0)
    events.create_event(
        session,
        lakeside,
        steward,
        events.EventIn(
            title="Smoke-house open evening",
            description="Taste the winter's smoked perch and learn to build a reed smoker.",
            starts_at=start,
            ends_at=start + timedelta(hours=3),
            timezone="Europe/London",
            visibility="public",
        ),
    )
    session.flush()
    fed = context(get_settings())
    follow_as_if_remote(session, fed, ctx.communities["riverside"].slug, lakeside.slug)
    moderation(session, ctx, fed, lakeside)
    ctx.notes.append(
        said(
            "federation: riverside follows lakeside (public, same instance, as if remote); see "
            "/communities/riverside/federation (a report, an adapted recipe) and "
            "/communities/lakeside/federation (a follow request waiting for its stewards); "
            "lakeside's smoke-house evening shows in riverside's events and events.ics, "
            "marked remote"
        )
    )


def moderation(session: Session, ctx: DemoContext, fed: Fed, lakeside: Community) -> None:
    """Lakeside approves its followers (one request waits); riverside has a report and adapted
    a lakeside recipe into its own archive."""
    approvals.set_approval(session, lakeside, OPERATOR, True)
    session.add(
        Follower(
            community_id=lakeside.id,
            actor_id="https://mobilizon.example/@harvest_club",
            inbox="https://mobilizon.example/@harvest_club/inbox",
            shared_inbox="https://mobilizon.example/inbox",
            domain="mobilizon.example",
            follow_id="https://mobilizon.example/follows/2b1c0e5e",
            state=approvals.PENDING,
        )
    )
    riverside = ctx.communities["riverside"]
    session.add(
        Report(
            community_id=riverside.id,
            direction="incoming",
            flag_id="https://mastodon.example/reports/5f1d",
            actor_id="https://mastodon.example/actor",
            domain="mastodon.example",
            objects=[fed.urls.actor(riverside.slug)],
            comment="A reader asks whether the photo of the jollof rice may be reused.",
        )
    )
    session.flush()
    tea = session.scalars(
        select(RemoteItem).where(
            RemoteItem.community_id == riverside.id, RemoteItem.name == "Birch sap tea"
        )
    ).first()
    if tea is not None:
        adapt.adapt(session, riverside, Viewer(user=ctx.users["lina"]), tea.id)


def follow_as_if_remote(session: Session, fed: Fed, follower_slug: str, followed_slug: str) -> None:
    """Record a follow between two local communities and pass the followed one's recipes over."""
    from commonpot.federation.sharing import public_community

    follower = public_community(session, follower_slug)
    followed = public_community(session, followed_slug)
    followed_actor = fed.urls.actor(followed.slug)
    follower_actor = fed.urls.actor(follower.slug)
    remote = remember_actor(
        session,
        {
            "id": followed_actor,
            "type": "Group",
            "preferredUsername": followed.slug,
            "name": followed.name,
            "inbox": followed_actor + "/inbox",
            "endpoints": {"sharedInbox": fed.urls.shared_inbox()},
            "publicKey": {
                "id": fed.urls.key(followed.slug),
                "owner": followed_actor,
                "publicKeyPem": keys.public_key_pem(fed.data_dir, followed.slug),
            },
        },
    )
    follow_id = f"{follower_actor}#follows/demo"
    session.add(
        Following(
            community_id=follower.id,
            actor_id=followed_actor,
            handle=f"@{followed.slug}@{fed.host}",
            name=followed.name,
            inbox=remote.inbox,
            domain=remote.domain,
            follow_id=follow_id,
            state="accepted",
        )
    )
    session.add(
        Follower(
            community_id=followed.id,
            actor_id=follower_actor,
            inbox=follower_actor + "/inbox",
            shared_inbox=fed.urls.shared_inbox(),
            domain=remote.domain,
            follow_id=follow_id,
        )
    )
    session.flush()
    for recipe in shareable_recipes(session, followed):
        obj = recipe_document(session, fed, followed, recipe)
        dispatch(
            session,
            fed,
            activity("Create", obj["id"] + "#create", followed_actor, obj),
            remote,
            None,
        )
    for event in shareable_events(session, followed):  # into riverside's own calendar too
        obj = event_document(fed, followed, event)
        dispatch(
            session,
            fed,
            activity("Create", obj["id"] + "#create", followed_actor, obj),
            remote,
            None,
        )
