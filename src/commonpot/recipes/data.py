"""Plain recipe data exchanged by the engines: what a schema.org Recipe says, plus heritage."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Step:
    """One instruction step; `name` is a short title when the source gives one."""

    text: str
    name: str | None = None


@dataclass(frozen=True)
class Section:
    """A named group of steps ("For the dough")."""

    name: str | None
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class LineagePerson:
    """Someone the recipe passed through; they need not be a user of the platform."""

    name: str
    relation: str | None = None
    place: str | None = None
    period: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class ProtocolLabel:
    """A Local Contexts Traditional Knowledge (TK) or Biocultural (BC) label on a recipe."""

    code: str
    name: str
    url: str | None = None


@dataclass(frozen=True)
class Heritage:
    """Where a recipe comes from and how its community asks it to be used."""

    is_based_on: str | None = None
    credit_text: str | None = None
    conditions_of_access: str | None = None
    usage_info: str | None = None
    community: str | None = None
    lineage: tuple[LineagePerson, ...] = ()
    labels: tuple[ProtocolLabel, ...] = ()


@dataclass(frozen=True)
class RecipeData:
    """A recipe normalised from schema.org: strings, ISO 8601 durations, ordered steps."""

    name: str
    ingredients: tuple[str, ...] = ()
    instructions: tuple[Step | Section, ...] = ()
    description: str | None = None
    recipe_yield: str | None = None
    prep_time: str | None = None
    cook_time: str | None = None
    total_time: str | None = None
    cuisine: str | None = None
    category: str | None = None
    keywords: str | None = None
    authors: tuple[str, ...] = ()
    image: str | None = None
    url: str | None = None
    in_language: str | None = None
    nutrition: dict[str, str] = field(default_factory=dict)
    heritage: Heritage | None = None

    def steps(self) -> list[Step]:
        """Return every step in order, sections flattened."""
        out: list[Step] = []
        for item in self.instructions:
            out.extend(item.steps if isinstance(item, Section) else (item,))
        return out
