"""An import-linter contract: a domain imports another only through its public surface.

Used by `lint-imports` (`make lint`), never by the application; it imports nothing of it.
A module of domain A may import from domain B only `commonpot.B` itself (the names in its
`__init__.__all__`) or one of B's declared public submodules. Modules outside the domains
(the composition roots and the foundation) are not checked, nor are the `exempt_modules`.

    [[tool.importlinter.contracts]]
    type = "public_surface"
    domains = ["commonpot.accounts", ...]
    public_modules = ["commonpot.communities.scope", "commonpot.*.signals"]
    exempt_modules = []          # optional: modules of a domain that compose several
"""

from __future__ import annotations

from fnmatch import fnmatchcase
from typing import TYPE_CHECKING, Any, cast

from importlinter import Contract, ContractCheck, fields, output

if TYPE_CHECKING:
    from grimp import ImportGraph


def _matches(module: str, patterns: list[str]) -> bool:
    """`module` is one of the patterns (`*` stands for one name) or lies inside one."""
    parts = module.split(".")
    return any(fnmatchcase(".".join(parts[: p.count(".") + 1]), p) for p in patterns)


class PublicSurfaceContract(Contract):
    """Cross-domain imports go through the package or a declared public submodule."""

    domains = fields.ListField(subfield=fields.StringField())
    public_modules = fields.ListField(subfield=fields.StringField(), required=False, default=[])
    exempt_modules = fields.ListField(subfield=fields.StringField(), required=False, default=[])

    def _option(self, value: object) -> list[str]:
        """A field's parsed value (import-linter sets the parsed list over the class field)."""
        return [str(item) for item in cast("list[object]", value)]

    def check(self, graph: ImportGraph, verbose: bool) -> ContractCheck:
        domains = self._option(self.domains)
        public = self._option(self.public_modules)
        exempt = self._option(self.exempt_modules)
        illegal: list[dict[str, Any]] = []
        for domain in domains:
            if domain not in graph.modules:
                continue
            for importer in sorted({domain} | graph.find_descendants(domain)):
                if _matches(importer, exempt):
                    continue
                for imported in sorted(graph.find_modules_directly_imported_by(importer)):
                    target = next((d for d in domains if _matches(imported, [d])), None)
                    if target is None or target in (domain, imported) or _matches(imported, public):
                        continue
                    details = graph.get_import_details(importer=importer, imported=imported)
                    lines = sorted(d["line_number"] for d in details)
                    illegal.append({"importer": importer, "imported": imported, "lines": lines})
        return ContractCheck(kept=not illegal, metadata={"illegal": illegal})

    def render_broken_contract(self, check: ContractCheck) -> None:
        output.print_error(
            "Import the other domain's package (names in its __all__) or a public submodule:",
            bold=False,
        )
        output.new_line()
        for link in check.metadata["illegal"]:
            lines = ", ".join(str(n) for n in link["lines"])
            output.print_error(
                f"- {link['importer']} -> {link['imported']} (l.{lines})", bold=False
            )
        output.new_line()
