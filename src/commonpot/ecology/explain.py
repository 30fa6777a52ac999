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
        share = hill_1 / richness if richness else 0
        if share < 0.5:
            tail = "a few crops take most of the space; more even beds would raise the rating."
        else:
            tail = "space is shared fairly evenly between them."
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
