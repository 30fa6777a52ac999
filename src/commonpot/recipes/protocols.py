"""Local Contexts Traditional Knowledge (TK) and Biocultural (BC) labels, and what they restrict."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from commonpot.errors import Invalid
from commonpot.recipes.data import ProtocolLabel
from commonpot.words import ENGLISH, Words, said


class Reach(StrEnum):
    """Who may see a recipe: anyone, or only members of its community."""

    PUBLIC = "public"
    COMMUNITY = "community"


@dataclass(frozen=True)
class LabelInfo:
    """One Local Contexts label: code, name, page, and whether it keeps a recipe in."""

    code: str
    name: str
    slug: str
    community_only: bool

    @property
    def url(self) -> str:
        """The label's page on localcontexts.org."""
        return f"https://localcontexts.org/label/{self.slug}/"


_ROWS: tuple[tuple[str, str, bool], ...] = (
    ("TK A", "TK Attribution", False),
    ("TK CL", "TK Clan", False),
    ("TK F", "TK Family", True),
    ("TK MC", "TK Multiple Communities", False),
    ("TK CV", "TK Community Voice", False),
    ("TK CS", "TK Culturally Sensitive", True),
    ("TK SS", "TK Secret / Sacred", True),
    ("TK CO", "TK Community Use Only", True),
    ("TK S", "TK Seasonal", False),
    ("TK WG", "TK Women General", False),
    ("TK MG", "TK Men General", False),
    ("TK MR", "TK Men Restricted", True),
    ("TK WR", "TK Women Restricted", True),
    ("TK V", "TK Verified", False),
    ("TK NV", "TK Non-Verified", False),
    ("TK NC", "TK Non-Commercial", False),
    ("TK OC", "TK Open to Commercialization", False),
    ("TK CB", "TK Open to Collaboration", False),
    ("TK CR", "TK Creative", False),
    ("TK O", "TK Outreach", False),
    ("BC P", "BC Provenance", False),
    ("BC MC", "BC Multiple Communities", False),
    ("BC CL", "BC Clan", False),
    ("BC CV", "BC Consent Verified", False),
    ("BC CNV", "BC Consent Non-Verified", False),
    ("BC R", "BC Research Use", False),
    ("BC O", "BC Outreach", False),
    ("BC NC", "BC Non-Commercial", False),
    ("BC CB", "BC Open to Collaboration", False),
    ("BC OC", "BC Open to Commercialization", False),
)


def _slug(name: str) -> str:
    return "-".join(name.lower().replace("/", " ").split())


LABELS: dict[str, LabelInfo] = {
    code: LabelInfo(code=code, name=name, slug=_slug(name), community_only=restricted)
    for code, name, restricted in _ROWS
}


def label(code: str) -> LabelInfo:
    """Return a label by its code ("TK CO", "tk-co" and "TKCO" are all accepted)."""
    key = code.strip().upper().replace("-", " ").replace("_", " ")
    if key not in LABELS and " " not in key and len(key) > 2:
        key = f"{key[:2]} {key[2:]}"
    if key not in LABELS:
        raise Invalid("unknown Local Contexts label %(code)s", field="labels", code=repr(code))
    return LABELS[key]


def reach(labels: Iterable[str], requested: Reach = Reach.PUBLIC) -> Reach:
    """Return who may see a recipe: community-only if asked for or any label keeps it in."""
    if requested is Reach.COMMUNITY or any(label(c).community_only for c in labels):
        return Reach.COMMUNITY
    return Reach.PUBLIC


def protocol_labels(codes: Iterable[str]) -> tuple[ProtocolLabel, ...]:
    """Turn label codes into the `ProtocolLabel` records carried in exports, without repeats."""
    seen: dict[str, ProtocolLabel] = {}
    for code in codes:
        info = label(code)
        seen.setdefault(info.code, ProtocolLabel(code=info.code, name=info.name, url=info.url))
    return tuple(seen.values())


def conditions_text(codes: Iterable[str], community: str, words: Words = ENGLISH) -> str | None:
    """Write `conditionsOfAccess` for exports from the labels: who may use the recipe, and how.

    In the reader's `words` (English for files and the command line); label names are the
    Local Contexts names, as they are.
    """
    infos = [label(c) for c in codes]
    if not infos:
        return None
    names = ", ".join(i.name for i in infos)
    if any(i.community_only for i in infos):
        restricted = said(
            "Restricted to members of %(community)s (%(labels)s); do not share outside it.",
            community=community,
            labels=names,
        )
        return restricted.words(words)
    shared = said(
        "Shared by %(community)s under its protocol: %(labels)s.", community=community, labels=names
    )
    return shared.words(words)
