"""The one demo loader: a public community `riverside` and a private one `hillside`.

Foundation data (people, communities, places) is made here; each domain then adds its own
through `commonpot.<domain>.demo.load(session, ctx)`, in the order of DOMAINS.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from commonpot.accounts.models import User
from commonpot.accounts.service import OPERATOR, create_user
from commonpot.cli_language import N_
from commonpot.communities.models import Community, Place
from commonpot.communities.service import add_member, create_community
from commonpot.words import ENGLISH, Said, Words, said

DEMO_PASSWORD = "commonpot-demo"  # noqa: S105 (published demo sign-in)
DOMAINS = ("recipes", "network", "governance", "events", "experiences", "ecology", "federation")


# what the progress bar shows while each domain loads (`progress` words them)
STEP_LABELS = {
    "recipes": N_("recipes"),
    "network": N_("food sharing"),
    "governance": N_("decisions"),
    "events": N_("events"),
    "experiences": N_("experiences"),
    "ecology": N_("ecology"),
    "federation": N_("other communities"),
    "biotumblers": N_("biotumblers"),
}


def steps() -> int:
    """How many parts `load` reports to its progress function."""
    return 1 + len(_domain_loaders())


def _domain_loaders() -> tuple[Callable[[Session, DemoContext], None], ...]:
    """Each domain's demo loader, in the order of DOMAINS (later ones use earlier data)."""
    # imported here: the domains' demo modules import this module's DemoContext
    from commonpot.biotumblers import demo as biotumblers_demo
    from commonpot.ecology import demo as ecology_demo
    from commonpot.events import demo as events_demo
    from commonpot.experiences import demo as experiences_demo
    from commonpot.federation import demo as federation_demo
    from commonpot.governance import demo as governance_demo
    from commonpot.network import demo as network_demo
    from commonpot.recipes import demo as recipes_demo

    return (
        recipes_demo.load,
        network_demo.load,
        governance_demo.load,
        events_demo.load,
        experiences_demo.load,
        ecology_demo.load,
        federation_demo.load,
        biotumblers_demo.load,
    )


PEOPLE = [
    # key, name, e-mail, birth year, languages
    ("admin", "Instance Admin", "admin@commonpot.example", None, "en"),
    ("amara", "Amara Okafor", "amara@riverside.example", 1978, "en,ig"),
    ("rosa", "Rosa Delgado", "rosa@riverside.example", 1941, "es,en"),
    ("tomas", "Tomás Delgado", "tomas@riverside.example", 1969, "es,en"),
    ("lina", "Lina Delgado", "lina@riverside.example", 2004, "en,es"),
    ("kenji", "Kenji Watanabe", "kenji@riverside.example", 1952, "ja,en"),
    ("sam", "Sam Whitfield", "sam@riverside.example", 2009, "en"),
    ("priya", "Priya Nair", "priya@both.example", 1990, "en,ml"),
    ("miriam", "Miriam Haddad", "miriam@hillside.example", 1965, "ar,en"),
    ("jonah", "Jonah Reyes", "jonah@hillside.example", 1947, "en,tl"),
    ("wren", "Wren Alvarez", "wren@hillside.example", 2001, "en,es"),
]

MEMBERS = {
    "riverside": [
        ("amara", "steward"),
        ("rosa", "custodian"),
        ("tomas", "member"),
        ("lina", "member"),
        ("kenji", "member"),
        ("sam", "member"),
        ("priya", "member"),
    ],
    "hillside": [
        ("miriam", "steward"),
        ("jonah", "custodian"),
        ("wren", "member"),
        ("priya", "member"),
    ],
}

PLACES = {
    "riverside": [
        (
            "North Dome",
            "biodome",
            51.4561,
            -2.5921,
            "temperate-humid",
            1800.0,
            None,
            "The oldest dome: orchard trees, beans and squash beds, a seed library.",
        ),
        (
            "South Dome",
            "biodome",
            51.4529,
            -2.5902,
            "warm-dry",
            1500.0,
            None,
            "Warm and dry: chillies, tomatoes, amaranth, herbs.",
        ),
        (
            "Willow Dome",
            "biodome",
            51.4548,
            -2.5843,
            "cool-wet",
            1200.0,
            None,
            "Cool and wet by the river: greens, roots, watercress.",
        ),
        (
            "Community Kitchen",
            "kitchen",
            51.4545,
            -2.5879,
            None,
            None,
            None,
            "Twelve burners, two ovens, a long table for forty.",
        ),
        (
            "Riverside Market",
            "market",
            51.4538,
            -2.5867,
            None,
            None,
            None,
            "Saturday market under the old footbridge.",
        ),
        (
            "Old Orchard Garden",
            "garden",
            51.4570,
            -2.5850,
            None,
            900.0,
            None,
            "Apple, pear and plum trees planted in 1962.",
        ),
        ("The Plaza", "plaza", 51.4542, -2.5885, None, None, None, "Where flash events meet."),
        (
            "Enclave 7",
            "enclave",
            51.4489,
            -2.5990,
            None,
            None,
            420,
            "Terraced housing on the far bank; the longest walk to fresh food.",
        ),
        (
            "Mill Lane Enclave",
            "enclave",
            51.4575,
            -2.5811,
            None,
            None,
            260,
            "Families and elders near the old mill.",
        ),
        ("Quayside Enclave", "enclave", 51.4512, -2.5838, None, None, 310, "Flats along the quay."),
    ],
    "hillside": [
        (
            "Terrace Garden",
            "garden",
            51.4702,
            -2.6101,
            "temperate-dry",
            700.0,
            None,
            "Stone terraces on the south slope.",
        ),
        (
            "Hillside Kitchen",
            "kitchen",
            51.4695,
            -2.6080,
            None,
            None,
            None,
            "A small shared kitchen.",
        ),
        ("Upper Enclave", "enclave", 51.4721, -2.6120, None, None, 180, "Houses along the ridge."),
    ],
}


@dataclass
class DemoContext:
    """What the foundation made, for the domains' demo loaders to build on."""

    users: dict[str, User] = field(default_factory=dict)
    communities: dict[str, Community] = field(default_factory=dict)
    places: dict[str, dict[str, Place]] = field(default_factory=dict)
    notes: list[Said] = field(default_factory=list)  # lines for `summary`, each a sentence
    data_dir: Path | None = None  # where uploads go (the demo's recordings); None writes no files


@dataclass
class DemoResult:
    """What `demo load` did, and how to sign in."""

    loaded: bool
    ctx: DemoContext

    def summary(self, words: Words = ENGLISH) -> str:
        """The text the CLI prints, in the reader's words."""
        say = words.gettext
        if not self.loaded:
            return words.gettext(
                "Demo data is already loaded (use --force to add it again on an empty database)."
            )
        people = [
            (N_("steward"), "amara@riverside.example", N_("Riverside")),
            (N_("custodian"), "rosa@riverside.example", N_("Riverside elder")),
            (N_("member"), "lina@riverside.example", N_("Riverside")),
            (N_("member"), "priya@both.example", N_("Riverside and Hillside")),
            (N_("steward"), "miriam@hillside.example", N_("Hillside")),
            (N_("admin"), "admin@commonpot.example", N_("instance administrator")),
        ]
        width = max(len(say(role)) for role, _, _ in people) + 2
        lines = [
            words.gettext(
                "Demo loaded: riverside (public, 'Riverside Biodome') and hillside (private)."
            ),
            said(
                "Sign in at /login with any of these (password '%(password)s'):",
                password=DEMO_PASSWORD,
            ).words(words),
        ]
        lines += [
            f"  {say(role):<{width}}{email:<26}({say(where)})" for role, email, where in people
        ]
        lines += [f"  {note.words(words)}" for note in self.ctx.notes]
        return "\n".join(lines)


def load(
    session: Session,
    *,
    force: bool = False,
    progress: Callable[[str], None] | None = None,
    data_dir: Path | None = None,
) -> DemoResult:
    """Load every domain's demo data into the session's database (idempotent unless forced).

    `progress` hears each part's name as it starts: people and places, then each domain.
    `data_dir` is where generated media (the demo's recordings) are written.
    """
    step = progress or (lambda _: None)
    ctx = DemoContext(data_dir=data_dir)
    exists = session.scalar(select(Community.id).where(Community.slug == "riverside"))
    if exists is not None and not force:
        return DemoResult(loaded=False, ctx=ctx)
    step(N_("people, communities and places"))
    for key, name, email, year, languages in PEOPLE:
        ctx.users[key] = create_user(
            session,
            email=email,
            display_name=name,
            password=DEMO_PASSWORD,
            is_admin=key == "admin",
            birth_year=year,
            languages=languages,
        )
    ctx.communities["riverside"] = create_community(
        session,
        OPERATOR,
        slug="riverside",
        name="Riverside Biodome",
        description=(
            "Three biodomes, a community kitchen and four enclaves along the river. We keep our "
            "grandparents' recipes alive, share every harvest fairly and decide together."
        ),
        location="Riverside, by the old footbridge",
        lat=51.4545,
        lon=-2.5879,
        visibility="public",
        steward=ctx.users["amara"],
    )
    ctx.communities["hillside"] = create_community(
        session,
        OPERATOR,
        slug="hillside",
        name="Hillside Commons",
        description="A small mutual-aid group on the hill: terrace garden, shared kitchen.",
        location="Hillside",
        lat=51.4702,
        lon=-2.6101,
        visibility="private",
        steward=ctx.users["miriam"],
    )
    for slug, members in MEMBERS.items():
        for key, role in members[1:]:
            add_member(session, ctx.communities[slug], ctx.users[key], role)
    for slug, rows in PLACES.items():
        ctx.places[slug] = {}
        for name, kind, lat, lon, climate, area, population, description in rows:
            place = Place(
                community_id=ctx.communities[slug].id,
                name=name,
                kind=kind,
                lat=lat,
                lon=lon,
                climate_class=climate,
                area_m2=area,
                population=population,
                description=description,
                created_by_id=ctx.users[MEMBERS[slug][0][0]].id,
            )
            session.add(place)
            ctx.places[slug][name] = place
    session.flush()
    for load_domain in _domain_loaders():
        step(STEP_LABELS.get(load_domain.__module__.split(".")[1], "…"))
        load_domain(session, ctx)
        session.flush()
    return DemoResult(loaded=True, ctx=ctx)
