"""`commonpot tally` without Typer: the light path the command line's entry point takes.

A person waits for the whole process, and Typer (with click, rich and pydantic behind it)
costs more to import than counting a city's election. `run` reads the command line the
Typer command `commonpot tally` declares (governance.cli.tally) for the plain cases and
imports only the counting engine and the file reader; anything it does not recognise
(`--help`, an unknown or malformed option, a missing argument) returns None, and the entry
point hands the command line to Typer, so usage errors read exactly as before. Both paths
print through `result_lines`, so their output is the same.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any

from commonpot.cli_language import N_
from commonpot.errors import DomainError, Invalid, error_line

if TYPE_CHECKING:
    from commonpot.governance.count_results import TallyResult

# option -> (keyword, kind): "flag" takes no value, "int" an integer, "str" text
_OPTIONS: dict[str, tuple[str, str]] = {
    "--method": ("method", "str"),
    "-m": ("method", "str"),
    "--seats": ("seats", "int"),
    "--json": ("as_json", "flag"),
    "--seed": ("seed", "int"),
    "--threshold": ("threshold", "str"),
    "--at-least": ("at_least", "flag"),
    "--quorum": ("quorum", "str"),
    "--eligible": ("eligible", "int"),
    "--budget": ("budget", "int"),
}


def fraction(text: str, name: str) -> Fraction:
    """A share given as a number or fraction ("2/3", "0.5"); Invalid naming `name` if not."""
    try:
        return Fraction(text)
    except (ValueError, ZeroDivisionError):
        raise Invalid(
            "%(name)s must be a number or fraction such as 2/3", field=name, name=name
        ) from None


# what the result's details are called in the human lines (the JSON keeps the keys)
_DETAILS = {
    "quota": N_("quota"),
    "seats": N_("seats"),
    "passed": N_("passed"),
    "quorum_met": N_("quorum met"),
    "yes_share": N_("share of yes among yes and no"),
    "threshold": N_("threshold"),
    "inclusive": N_("reaching the threshold suffices"),
    "quorum": N_("quorum (share of eligible voters)"),
    "eligible": N_("eligible voters"),
}
# a majority vote's options are words, not names from the file
_CHOICES = {"yes": N_("yes"), "no": N_("no"), "abstain": N_("abstain")}


def result_lines(result: TallyResult, as_json: bool) -> list[str]:
    """What `commonpot tally` prints for a result (one JSON line with `--json`).

    The human lines are in the command line's language, numbers as it writes them (exact
    fractions as they are); candidates keep the names the file gives them. Scripts read
    `--json`, whose keys and values never change with the language.
    """
    if as_json:
        return [json.dumps(result.to_json(), ensure_ascii=False)]
    from commonpot.cli_language import cli_words

    words = cli_words()

    def shown(value: Any) -> str:
        if isinstance(value, bool):
            return words.gettext("yes") if value else words.gettext("no")
        if isinstance(value, int):
            return words.number(value, 0)
        return str(value)

    def name(text: str) -> str:
        return (
            words.gettext(_CHOICES[text])
            if result.method == "majority" and text in _CHOICES
            else text
        )

    def names(items: list[str]) -> str:
        return ", ".join(name(item) for item in items)

    lines = [words.gettext("method: %(method)s") % {"method": result.method}]
    for number, step in enumerate(result.to_json()["rounds"], start=1):
        counts = ", ".join(f"{name(key)} {shown(value)}" for key, value in step["counts"].items())
        line = words.gettext("round %(number)s: %(counts)s; exhausted %(exhausted)s") % {
            "number": number,
            "counts": counts,
            "exhausted": shown(step["exhausted"]),
        }
        if step.get("elected"):
            line += words.gettext("; elected %(names)s") % {"names": names(step["elected"])}
        if step["eliminated"]:
            line += words.gettext("; eliminated %(names)s") % {"names": names(step["eliminated"])}
        lines.append(line)
    for key, value in result.details.items():
        if key != "paths":
            label = words.gettext(_DETAILS[key]) if key in _DETAILS else key
            lines.append(f"{label}: {shown(value)}")
    if result.tie_break_seed is not None:
        lines.append(
            words.gettext("tie broken by lot, seed %(seed)s") % {"seed": result.tie_break_seed}
        )
    lines.append(
        words.gettext("winners: %(names)s")
        % {"names": names(result.winners) or words.gettext("(none)")}
    )
    return lines


def count_file(
    ballots: Path,
    method: str,
    *,
    seats: int = 1,
    seed: int | None = None,
    threshold: str = "1/2",
    at_least: bool = False,
    quorum: str = "0",
    eligible: int | None = None,
    budget: int | None = None,
) -> TallyResult:
    """Read and count a ballot file as `commonpot tally` does (Invalid on bad input)."""
    from commonpot.governance.count_methods import count_text
    from commonpot.parsing import read_text

    text = read_text(ballots, field="ballots")
    return count_text(
        method.lower(),
        text,
        ballots.suffix,
        seats=seats,
        seed=seed,
        threshold=fraction(threshold, "threshold"),
        quorum=fraction(quorum, "quorum"),
        eligible=eligible,
        inclusive=at_least,
        budget=budget,
    )


def parse(args: Sequence[str]) -> dict[str, Any] | None:
    """The keyword arguments of `count_file` (and `as_json`), or None to leave it to Typer."""
    found: dict[str, Any] = {}
    positional: list[str] = []
    items = iter(args)
    for arg in items:
        if not arg.startswith("-") or arg == "-":
            positional.append(arg)
            continue
        name, equals, value = arg.partition("=")
        option = _OPTIONS.get(name)
        if option is None or (equals and not name.startswith("--")):
            return None  # --help, --, -m<value>, unknown options: Typer explains
        keyword, kind = option
        if kind == "flag":
            if equals:
                return None
            found[keyword] = True
            continue
        if not equals:
            value = next(items, None)  # type: ignore[assignment]
            if value is None or value.startswith("-"):
                return None
        if kind == "int":
            try:
                found[keyword] = int(value)
            except ValueError:
                return None
        else:
            found[keyword] = value
    if len(positional) != 1 or "method" not in found:
        return None
    found["ballots"] = Path(positional[0])
    return found


def run(args: Sequence[str]) -> int | None:
    """Run `commonpot tally ARGS`; the exit code, or None when Typer must take the command line."""
    parsed = parse(args)
    if parsed is None:
        return None
    as_json = bool(parsed.pop("as_json", False))
    try:
        result = count_file(**parsed)
    except DomainError as exc:
        # as the Typer entry point reports every domain error (cli_app.run)
        from commonpot.i18n import cli_words

        sys.stderr.write(error_line(exc, cli_words()) + "\n")
        return 2
    sys.stdout.write("\n".join(result_lines(result, as_json)) + "\n")
    return 0
