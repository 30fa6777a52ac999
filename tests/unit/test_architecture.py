"""The architecture's rules hold, and the checks that guard them really fail on a violation."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "commonpot"
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
DOMAINS = (
    "accounts",
    "communities",
    "recipes",
    "network",
    "governance",
    "events",
    "ecology",
    "biotumblers",
    "federation",
    "notifications",
    "experiences",
)
SURFACE = "A domain imports another only through its public surface"


def _lint_imports(src_parent: Path, workdir: Path) -> subprocess.CompletedProcess[str]:
    shutil.copy(ROOT / "pyproject.toml", workdir / "pyproject.toml")
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=workdir,
        env={"PYTHONPATH": str(src_parent), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def source_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private copy of the package to break on purpose."""
    base = tmp_path_factory.mktemp("arch")
    shutil.copytree(SRC, base / "src" / "commonpot", ignore=shutil.ignore_patterns("*.pyc"))
    return base


def test_the_contracts_hold_today(tmp_path: Path) -> None:
    result = _lint_imports(ROOT / "src", tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "contract"),
    [
        ("governance/merkle.py", "import sqlalchemy", "Engines are pure"),
        ("network/service.py", "import fastapi", "Services and models import no web framework"),
        ("http.py", "import commonpot.recipes.service", "The foundation imports no domain"),
        ("ecology/diversity.py", "import commonpot.ecology.impact", "No import cycles"),
        ("network/access.py", "import commonpot.accounts.service", SURFACE),
        ("events/web_event.py", "from commonpot.communities.web import router", SURFACE),
        ("governance/proposals.py", "from commonpot.network.models import Need", SURFACE),
    ],
)
def test_a_violation_breaks_the_build(
    source_copy: Path, tmp_path: Path, module: str, line: str, contract: str
) -> None:
    target = source_copy / "src" / "commonpot" / module
    original = target.read_text(encoding="utf-8")
    target.write_text(original.replace("\nfrom ", f"\n{line}\nfrom ", 1), encoding="utf-8")
    try:
        result = _lint_imports(source_copy / "src", tmp_path)
    finally:
        target.write_text(original, encoding="utf-8")
    assert result.returncode != 0
    broken = [ln for ln in result.stdout.splitlines() if ln.endswith("BROKEN")]
    assert any(ln.startswith(contract) for ln in broken), result.stdout


def test_public_submodules_and_roots_keep_the_surface_contract(
    source_copy: Path, tmp_path: Path
) -> None:
    """What the contract allows: another domain's package, its declared public submodules
    (`signals`, `communities.scope`, `accounts.cookies`), and anything in a composition root."""
    injected = {
        "recipes/service.py": "import commonpot.network\nimport commonpot.events.signals",
        "network/web.py": "import commonpot.communities.scope\nimport commonpot.accounts.cookies",
        "wiring.py": "import commonpot.recipes.browse",
    }
    originals = {}
    for module, lines in injected.items():
        target = source_copy / "src" / "commonpot" / module
        originals[target] = target.read_text(encoding="utf-8")
        target.write_text(originals[target].replace("\nfrom ", f"\n{lines}\nfrom ", 1), "utf-8")
    try:
        result = _lint_imports(source_copy / "src", tmp_path)
    finally:
        for target, original in originals.items():
            target.write_text(original, encoding="utf-8")
    assert f"{SURFACE} KEPT" in result.stdout, result.stdout


def test_no_dynamic_imports_between_domains() -> None:
    """Domains call each other with typed imports; composition roots import them by name too."""
    pattern = re.compile(r"importlib\.import_module|__import__\(|from importlib import")
    offenders = [
        str(path.relative_to(SRC))
        for path in SRC.rglob("*.py")
        if "migrations" not in path.parts and pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_importing_models_registers_no_global_listener() -> None:
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    from commonpot.governance import membership_log
    from commonpot.models import load_all

    load_all()
    assert not event.contains(Session, "after_flush", membership_log._collect)
    assert not event.contains(Session, "after_flush_postexec", membership_log._append)


@pytest.mark.parametrize("domain", DOMAINS)
def test_each_domain_says_what_others_may_use(domain: str) -> None:
    """Every domain has a public surface, each exported name exists (lazy ones load), and
    importing the surface pulls in no web framework (services import it too)."""
    probe = (
        "import sys\n"
        f"import commonpot.{domain} as surface\n"
        "assert surface.__all__, 'empty surface'\n"
        "missing = [n for n in surface.__all__ if getattr(surface, n, None) is None]\n"
        "assert not missing, missing\n"
        "web = sorted({'fastapi', 'starlette', 'jinja2'} & set(sys.modules))\n"
        "assert not web, web\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr


def test_browser_tests_wait_without_eval() -> None:
    """Pages forbid eval by CSP; Playwright's wait_for_function polls with eval and flakes."""
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "tests" / "e2e").glob("*.py")
        if re.search(r"\.wait_for_function\(", path.read_text())
    ]
    assert offenders == []


def test_no_instance_secrets_in_the_repository() -> None:
    """A clone must generate its own secret key and federation keys, never share ours."""
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    tracked = subprocess.run(
        ["git", "ls-files", "var", "*.pem", "*secret_key*"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert tracked == []
