"""Plain-language explanations of diversity ratings, for people who are not ecologists."""

from __future__ import annotations

from typing import Any

GUIDE = {
    "richness": "how many different crops grow there at all",
    "hill_1": (
        "the effective number of crops: how many equally large crops would give the same "
        "variety (rare crops count a little, common ones fully)"
    ),
    "hill_2": "the effective number of common crops: small patches barely count",
    "pielou_evenness": "how evenly space is shared between crops (1 = perfectly even)",
    "simpson": "the chance that two random square metres hold different crops",
    "beta": "how different the places are from each other (1 = all the same)",
}


# Pielou evenness J = ln(Hill 1) / ln(crops); each band names what a person would see.
EVENNESS_BANDS = (
    (0.85, "even", "space is shared evenly between them."),
    (0.70, "fairly_even", "space is shared fairly evenly between them."),
    (
        0.50,
        "uneven",
        "one or two crops take more space than the rest; more even beds would raise the rating.",
    ),
    (
        0.0,
        "dominated",
        "a few crops take most of the space; more even beds would raise the rating.",
    ),
)
FORMULAS = {
    "richness": "S = number of crops with any area",
    "hill_1": "¹D = exp(H), H = −Σ pᵢ ln pᵢ, pᵢ = share of area",
    "hill_2": "²D = 1 / Σ pᵢ²",
    "pielou_evenness": "J = ln ¹D / ln S",
    "simpson": "1 − Σ pᵢ²",
    "total": "Σ area (m²)",
    "gamma": "¹D of all places pooled",
    "alpha": "average ¹D of a place (Jost)",
    "beta": "γ / α",
}


def evenness_band(evenness: float | None, richness: int) -> str:
    """The band of a place's evenness: even, fairly_even, uneven, dominated, or single."""
    if richness <= 1 or evenness is None:
        return "single"
    return next(key for floor, key, _ in EVENNESS_BANDS if evenness >= floor)


def _tail(band: str) -> str:
    if band == "single":
        return "a single crop fills the place."
    return next(text for _, key, text in EVENNESS_BANDS if key == band)


def _num(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def ratings(report: dict[str, Any]) -> list[str]:
    """Sentences that say what the numbers mean for this community."""
    alpha = report["alpha"]
    lines = []
    rated = {k: v for k, v in alpha.items() if v["hill_1"] is not None}
    for name, values in alpha.items():
        if values["hill_1"] is None:
            lines.append(f"{name} has nothing planted yet, so it has no rating.")
            continue
        richness, hill_1 = values["richness"], values["hill_1"]
        tail = _tail(evenness_band(values.get("pielou_evenness"), richness))
        lines.append(
            f"{name} grows {richness} crops, worth {_num(hill_1)} equally large crops: {tail}"
        )
    if rated:
        weakest = min(rated, key=lambda k: rated[k]["hill_1"])
        lines.append(
            f"The least diverse place is {weakest}; "
            "sharing seed of crops it lacks helps most there."
        )
    part = report["partition"]
    if part["gamma"] is not None:
        lines.append(
            f"All places together hold {_num(part['gamma'])} effective crops; an average place "
            f"holds {_num(part['alpha'])}, so the places differ by a factor of "
            f"{_num(part['beta'])} "
            "(1 would mean every place grows the same mix)."
        )
    return lines


def notes(report: dict[str, Any]) -> list[dict[str, Any]]:
    """The same statements as `ratings`, as figures a page words in the reader's language."""
    alpha = report["alpha"]
    out: list[dict[str, Any]] = []
    rated = {k: v for k, v in alpha.items() if v["hill_1"] is not None}
    for name, values in alpha.items():
        if values["hill_1"] is None:
            out.append({"kind": "empty", "place": name})
            continue
        band = evenness_band(values.get("pielou_evenness"), values["richness"])
        out.append(
            {
                "kind": "place",
                "place": name,
                "richness": values["richness"],
                "hill_1": values["hill_1"],
                "evenness": values.get("pielou_evenness"),
                "band": band,
            }
        )
    if rated:
        out.append({"kind": "weakest", "place": min(rated, key=lambda k: rated[k]["hill_1"])})
    part = report["partition"]
    if part["gamma"] is not None:
        out.append({"kind": "together", **{k: part[k] for k in ("gamma", "alpha", "beta")}})
    return out
