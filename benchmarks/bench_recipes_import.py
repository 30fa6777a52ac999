"""Recipe import engine: pages parsed per second, against baselines run in the same process.

    .venv/bin/python benchmarks/bench_recipes_import.py [--quick]

Baselines: `json.loads` of the page's JSON-LD script blocks (the least any importer must do),
and extruct's own JSON-LD / microdata extraction (what a straightforward importer would call).
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import extruct

from commonpot.recipes.ingredients import parse_ingredients
from commonpot.recipes.jsonld import extract_recipe, script_blocks

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "recipes"


def _padded(page: str, kilobytes: int) -> str:
    """Grow a page to a realistic size with article markup, comments and inline scripts."""
    paragraph = (
        '<div class="comment"><p class="author">A reader</p><p>We made this for the harvest '
        "supper and everyone asked for the recipe &mdash; thank you for sharing the story "
        'behind it.</p><a href="/reply">Reply</a></div>\n'
    )
    filler = paragraph * (kilobytes * 1024 // len(paragraph))
    script = "<script>window.__STATE__ = " + json.dumps({"ads": list(range(400))}) + ";</script>"
    return page.replace("</body>", filler + script + "</body>")


def _corpus() -> dict[str, str]:
    graph = (FIXTURES / "graph_yoast.html").read_text(encoding="utf-8")
    news = (FIXTURES / "news_array_type.html").read_text(encoding="utf-8")
    micro = (FIXTURES / "microdata.html").read_text(encoding="utf-8")
    return {
        "graph 120 KB": _padded(graph, 120),
        "array-type 60 KB": _padded(news, 60),
        "microdata 80 KB": _padded(micro, 80),
    }


def _rate(func: Callable[[], object], seconds: float) -> float:
    func()
    count, start = 0, time.perf_counter()
    deadline = start + seconds
    while True:
        func()
        count += 1
        now = time.perf_counter()
        if now >= deadline:
            return count / (now - start)


def _raw_json(page: str) -> object:
    return [json.loads(block, strict=False) for block in script_blocks(page)]


def main() -> None:
    """Print pages per second for the engine and the baselines, with ratios."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="shorter runs, rougher figures")
    seconds = 0.3 if parser.parse_args().quick else 2.0
    print(f"{'page':<18} {'method':<34} {'pages/s':>10} {'vs engine':>10}")
    for name, page in _corpus().items():
        engine = _rate(partial(extract_recipe, page), seconds)
        rows = [("engine: extract_recipe", engine)]
        if "microdata" in name:
            micro = partial(extruct.extract, page, syntaxes=["microdata"])
            rows.append(("extruct microdata only", _rate(micro, seconds)))
        else:
            rows.append(
                ("baseline: json.loads of blocks", _rate(partial(_raw_json, page), seconds))
            )
            jsonld = partial(extruct.extract, page, syntaxes=["json-ld"])
            rows.append(("extruct json-ld only", _rate(jsonld, seconds)))
        for method, rate in rows:
            print(f"{name:<18} {method:<34} {rate:>10.0f} {rate / engine:>9.2f}x")
    lines = list(extract_recipe(_corpus()["graph 120 KB"]).ingredients) * 25
    per_s = _rate(lambda: parse_ingredients(lines), seconds) * len(lines)
    print(f"\ningredient lines parsed per second: {per_s:,.0f}")


if __name__ == "__main__":
    main()
