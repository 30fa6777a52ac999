"""Static guards: our scripts never build HTML from strings; templates need no inline code.

The Content-Security-Policy blocks inline script and style, so a template with `style="..."`,
an `onclick=` handler or an inline `<script>` would break in the browser; and a script that
writes data into `innerHTML` (or hands Leaflet an HTML string) is how a member's text becomes
markup in someone else's browser.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from commonpot.security_headers import content_security_policy, tile_source
from commonpot.templating import make_templates

SRC = Path(__file__).resolve().parents[2] / "src" / "commonpot"
SCRIPTS = sorted((SRC / "static" / "app").glob("*.js"))
# e-mail bodies are read by mail clients, not served as pages under our CSP (and mail
# clients need inline styles): every other template is a page
TEMPLATES = sorted(p for p in (SRC / "templates").rglob("*.html") if not p.name.startswith("email"))

# Sinks that parse a string as HTML or code.
HTML_SINKS = re.compile(
    r"\.innerHTML\b|\.outerHTML\b|insertAdjacentHTML|document\.write(ln)?\s*\(|"
    r"createContextualFragment|\bDOMParser\b|\.html\s*\(|\beval\s*\(|\bnew\s+Function\b|"
    r"set(Timeout|Interval)\s*\(\s*['\"`]"
)
# Leaflet calls that take HTML when given a string.
LEAFLET_HTML = re.compile(r"\.(bindPopup|bindTooltip|setContent|setPopupContent)\s*\(")


def _call_argument(text: str, start: int) -> str:
    """The text between the parenthesis at `start` and its match."""
    depth = 0
    for i in range(start, len(text)):
        if text[i] == "(":
            depth += 1
        elif text[i] == ")":
            depth -= 1
            if depth == 0:
                return text[start + 1 : i]
    raise AssertionError("unbalanced parentheses")


def leaflet_html_problems(source: str) -> list[str]:
    """Leaflet content arguments that are not a call to a DOM builder defined in the file."""
    problems = []
    for match in LEAFLET_HTML.finditer(source):
        argument = _call_argument(source, match.end() - 1).strip()
        builder = re.fullmatch(r"([A-Za-z_$][\w$]*)\(.*\)", argument, re.DOTALL)
        if (
            "+" in argument
            or re.search(r"['\"`]", argument)
            or builder is None
            or not re.search(rf"function\s+{re.escape(builder.group(1))}\s*\(", source)
        ):
            problems.append(f"{match.group(1)}({argument})")
    return problems


def test_there_are_scripts_and_templates_to_check() -> None:
    assert any(p.name == "map.js" for p in SCRIPTS)
    assert len(TEMPLATES) > 20


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_scripts_build_no_html_from_strings(script: Path) -> None:
    source = script.read_text(encoding="utf-8")
    sinks = [m.group(0) for m in HTML_SINKS.finditer(source)]
    assert sinks == [], f"{script.name} parses strings as HTML or code: {sinks}"
    assert leaflet_html_problems(source) == [], f"{script.name} gives Leaflet an HTML string"


def test_the_leaflet_guard_catches_string_popups() -> None:
    assert leaflet_html_problems('m.bindPopup(m.name + " (" + m.kind + ")");')
    assert leaflet_html_problems("m.bindPopup(m.popup || m.name);")
    assert leaflet_html_problems("m.bindPopup(`<b>${m.name}</b>`);")
    assert leaflet_html_problems("m.bindPopup(build(m));")  # not defined here
    ok = "function build(m) { var d = document.createElement('div'); return d; }\n"
    assert leaflet_html_problems(ok + "m.bindPopup(build(m));") == []


INLINE_STYLE = re.compile(r"\sstyle\s*=|<style\b", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
DATA_SCRIPT = re.compile(r"type\s*=\s*[\"']application/(ld\+)?json[\"']", re.IGNORECASE)


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(SRC)))
def test_templates_need_no_inline_code(template: Path) -> None:
    text = template.read_text(encoding="utf-8")
    assert not INLINE_STYLE.search(text), "inline style: move it into a CSS file"
    assert not INLINE_HANDLER.search(text), "inline event handler: use addEventListener"
    assert "hx-on" not in text and "js:" not in text, "htmx evaluation is off (allowEval)"
    for attributes in SCRIPT_TAG.findall(text):
        assert "src=" in attributes or DATA_SCRIPT.search(attributes), (
            "inline <script>: move the code into static/app/*.js"
        )
    assert "|safe" not in text.replace(" ", ""), "|safe on template data"


def test_tile_source_names_only_plain_hosts() -> None:
    osm = "https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png"
    assert tile_source(osm) == "https://*.tile.openstreetmap.org"
    assert tile_source("http://127.0.0.1:9/{z}/{x}/{y}.png") == "http://127.0.0.1:9"
    assert tile_source("/tiles/{z}/{x}/{y}.png") is None
    assert tile_source("https://evil.example;script-src 'unsafe-inline'/{z}") is None
    assert tile_source("javascript:alert(1)") is None
    policy = content_security_policy("https://evil.example; script-src *")
    assert "script-src 'self';" in policy and "*" not in policy


def test_jsonld_blocks_cannot_be_closed_or_commented_by_data() -> None:
    name = "Pozole <!--<script>alert(1)</script> & co"
    block = str(make_templates().env.globals["jsonld"]({"name": name}))
    opening = '<script type="application/ld+json">'
    assert block.startswith(opening) and block.endswith("</script>")
    body = block[len(opening) : -len("</script>")]
    assert not set("<>&") & set(body)
    assert json.loads(body) == {"name": name}
