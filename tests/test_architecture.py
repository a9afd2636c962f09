"""The package's layers: data flows one way, and no module imports a layer above its own."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "netopt"

#: Layer of each top-level module or subpackage of netopt, lowest first. A module may import
#: its own layer or a lower one, never a higher one (function-level imports included).
LAYERS: dict[str, int] = {
    "_errors": 0,
    "_atomic": 0,
    "_clock": 0,
    "_version": 0,
    "_options": 0,
    "_gcj02": 0,
    "_numbers": 0,
    "_locale": 0,
    "_crs": 1,
    "region": 1,
    "_osm": 1,
    "validate": 1,
    "io": 1,
    "graph": 2,
    "solve": 3,
    "flows": 4,
    "kpis": 4,
    "_notes": 4,  # plan notes: catalogue keys and fields (KPI labels)
    "_warning_groups": 4,
    "alliances": 5,
    "pathways": 5,
    "diagnosis": 5,
    "hosting": 5,
    "rotations": 6,
    "costs": 6,
    "_offline": 7,
    "maps": 7,
    "report": 7,
    "scenario": 8,
    "cli": 9,
    "_cli_summary": 9,
}


def _top(module: str) -> str | None:
    """The top-level netopt part of a dotted module name (None outside netopt)."""
    parts = module.split(".")
    if parts[0] != "netopt" or len(parts) < 2:
        return None
    return parts[1]


def _imports(path: Path) -> list[tuple[int, str]]:
    """Every netopt module imported anywhere in a file, with its line number."""
    package = ".".join(path.relative_to(PACKAGE.parent).parts[:-1])  # the file's own package
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                name = ".".join([*base, node.module] if node.module else base)
            else:
                name = node.module or ""
            if name == "netopt":  # from netopt import graph, kpis
                out += [(node.lineno, f"netopt.{a.name}") for a in node.names]
            else:
                out.append((node.lineno, name))
    return out


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if p != PACKAGE / "__init__.py")


def test_every_part_has_a_layer():
    """A new top-level module or subpackage must be given its place in LAYERS."""
    tops = {p.relative_to(PACKAGE).parts[0].removesuffix(".py") for p in _modules()}
    assert tops <= set(LAYERS), sorted(tops - set(LAYERS))


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_imports_a_higher_layer(path):
    """Lower layers never import higher ones: the run path only goes down."""
    own = path.relative_to(PACKAGE).parts[0].removesuffix(".py")
    bad = [
        f"line {line}: imports {name} (layer {LAYERS[_top(name)]} > {own}'s {LAYERS[own]})"
        for line, name in _imports(path)
        if _top(name) in LAYERS and LAYERS[_top(name)] > LAYERS[own]
    ]
    assert not bad, bad


def test_no_module_is_far_above_600_lines():
    """One job per module: as a guide, none is far above 600 lines."""
    long = {
        str(p.relative_to(PACKAGE)): n
        for p in _modules()
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > 650
    }
    assert not long, long
