"""Plain-language explanations of diversity ratings, for people who are not ecologists."""

from __future__ import annotations

from typing import Any

from commonpot.errors import N_
from commonpot.words import ENGLISH, Words, said, said_n

GUIDE = {
    "richness": N_("how many different crops grow there at all"),
    "hill_1": N_(
        "the effective number of crops: how many equally large crops would give the same "
        "variety (rare crops count a little, common ones fully)"
    ),
    "hill_2": N_("the effective number of common crops: small patches barely count"),
    "pielou_evenness": N_("how evenly space is shared between crops (1 = perfectly even)"),
    "simpson": N_("the chance that two random square metres hold different crops"),
    "beta": N_("how different the places are from each other (1 = all the same)"),
}


# Pielou evenness J = ln(Hill 1) / ln(crops); each band names what a person would see.
EVENNESS_BANDS = (
    (0.85, "even", N_("space is shared evenly between them.")),
    (0.70, "fairly_even", N_("space is shared fairly evenly between them.")),
    (
        0.50,
        "uneven",
        N_(
            "one or two crops take more space than the rest; more even beds would raise the rating."
        ),
    ),
    (
        0.0,
        "dominated",
        N_("a few crops take most of the space; more even beds would raise the rating."),
    ),
)
FORMULAS = {
    "richness": N_("S = number of crops with any area"),
    "hill_1": N_("¹D = exp(H), H = −Σ pᵢ ln pᵢ, pᵢ = share of area"),
    "hill_2": "²D = 1 / Σ pᵢ²",
    "pielou_evenness": "J = ln ¹D / ln S",
    "simpson": "1 − Σ pᵢ²",
    "total": N_("Σ area (m²)"),
    "gamma": N_("¹D of all places pooled"),
    "alpha": N_("average ¹D of a place (Jost)"),
    "beta": "γ / α",
}


def evenness_band(evenness: float | None, richness: int) -> str:
    """The band of a place's evenness: even, fairly_even, uneven, dominated, or single."""
    if richness <= 1 or evenness is None:
        return "single"
    return next(key for floor, key, _ in EVENNESS_BANDS if evenness >= floor)


def _tail(band: str, words: Words) -> str:
    if band == "single":
        return words.gettext("a single crop fills the place.")
    return words.gettext(next(text for _, key, text in EVENNESS_BANDS if key == band))


def ratings(report: dict[str, Any], words: Words = ENGLISH) -> list[str]:
    """Sentences that say what the numbers mean for this community, in the reader's `words`.

    The same sentences as the ratings page words from `notes` (one set of message ids).
    """
    lines = []
    for note in notes(report):
        kind = note["kind"]
        if kind == "empty":
            said_ = said(
                "%(place)s has nothing planted yet, so it has no rating.", place=note["place"]
            )
            lines.append(said_.words(words))
        elif kind == "place":
            head = said_n(
                "%(place)s grows %(num)s crop, worth %(effective)s equally large crops:",
                "%(place)s grows %(num)s crops, worth %(effective)s equally large crops:",
                int(note["richness"]),
                digits=1,
                place=note["place"],
                effective=float(note["hill_1"]),
            ).words(words)
            lines.append(f"{head} {_tail(note['band'], words)}")
        elif kind == "weakest":
            lines.append(
                said(
                    "The least diverse place is %(place)s; sharing seed of crops it lacks helps "
                    "most there.",
                    place=note["place"],
                ).words(words)
            )
        else:
            lines.append(
                said(
                    "All places together hold %(gamma)s effective crops; an average place holds "
                    "%(alpha)s, so the places differ by a factor of %(beta)s (1 would mean every "
                    "place grows the same mix).",
                    digits=1,
                    gamma=float(note["gamma"]),
                    alpha=float(note["alpha"]),
                    beta=float(note["beta"]),
                ).words(words)
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


# the measures' plain names, as the ecology pages' `measure` macro shows them
MEASURES = {
    "richness": N_("Crops grown"),
    "hill_0": N_("Crops grown"),
    "hill_1": N_("Effective number of crops"),
    "hill_2": N_("Effective number of common crops"),
    "pielou_evenness": N_("Evenness"),
    "simpson": N_("Chance two square metres differ"),
    "total": N_("Area (m²)"),
    "gamma": N_("Effective crops, all places together"),
    "alpha": N_("Effective crops, average place"),
    "beta": N_("How different the places are"),
}


def flag(item: dict[str, Any], words: Words = ENGLISH) -> str:
    """An impact flag (`ImpactReport.to_json()["flags"]`) explained in the reader's words.

    The same message ids as the assessment page; a flag without its figures keeps the
    explanation it was stored with.
    """
    kind, data, place = item.get("kind"), item.get("data") or {}, item.get("sample", "")
    if kind == "token_species" and data:
        count = int(data["count"])
        names = ", ".join(str(n) for n in data["names"][:5])
        head = words.ngettext(
            "%(place)s: %(num)s newly listed crop (%(names)s) takes up only %(share)s %% of "
            "the space.",
            "%(place)s: %(num)s newly listed crops (%(names)s) together take up only "
            "%(share)s %% of the space.",
            count,
        ) % {
            "place": place,
            "num": words.number(count, 0),
            "names": names,
            "share": words.number(float(data["share"]) * 100, 1),
        }
        tail = words.gettext(
            "Without them the place would count %(without)s crops against %(before)s before, "
            "and %(effective_without)s effective crops against %(effective_before)s: the gain "
            "is carried by token plantings that add names to the list but almost nothing to "
            "the living variety of the place."
        ) % {
            "without": words.number(data["richness_without"], 0),
            "before": words.number(data["richness_before"], 0),
            "effective_without": words.number(data["hill_1_without"], 2),
            "effective_before": words.number(data["hill_1_before"], 2),
        }
        return f"{head} {tail}"
    if kind == "richness_up_evenness_down" and data:
        measure = words.gettext(MEASURES.get(data["index"], data["index"])).lower()
        return words.gettext(
            "%(place)s: the number of crops went up from %(before)s to %(after)s, but the "
            "%(measure)s fell from %(start)s to %(end)s. Counting more names while one crop "
            "takes over more of the space makes the place less diverse, not more."
        ) % {
            "place": place,
            "before": words.number(data["richness_before"], 0),
            "after": words.number(data["richness_after"], 0),
            "measure": measure,
            "start": words.number(data["before"], 2),
            "end": words.number(data["after"], 2),
        }
    if kind == "gamma_down_ratings_up" and data:
        return words.gettext(
            "%(rose)s of %(places)s places look more diverse on their own, yet all places "
            "together went from %(before)s to %(after)s effective crops. Everyone planting the "
            "same crops makes each place look better while the whole area loses variety."
        ) % {
            "rose": words.number(data["rose"], 0),
            "places": words.number(data["places"], 0),
            "before": words.number(data["before"], 2),
            "after": words.number(data["after"], 2),
        }
    return str(item.get("explanation", ""))


def worded_report(report: dict[str, Any], words: Words = ENGLISH) -> dict[str, Any]:
    """An impact report whose flags' explanations are in the reader's words."""
    flags = report.get("flags")
    if not isinstance(flags, list):
        return report
    return {**report, "flags": [{**f, "explanation": flag(f, words)} for f in flags]}
