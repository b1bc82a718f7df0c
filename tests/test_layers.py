"""The layer contract: each layer of ``retrosim`` imports only the layers below it, and no
module takes part in an import cycle (a function-level or ``TYPE_CHECKING`` import counts).

The order, bottom first (``docs/architecture.md``): the foundation (``errors``, ``units``,
``randomness``, ``variables``, ``_version``, the lazy package ``__init__``), then ``physiology`` and
``controllers``, ``model``, ``solve``, ``engine``, ``events``, ``results``, the facade ``api``,
the consumers of whole runs (``scale``, ``testing``, ``validation``, ``ftms``), ``report``,
``app``, and on top the command line and the pytest plugin. Layers of one rank do not import
each other.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import retrosim

PACKAGE = Path(__file__).resolve().parents[1] / "retrosim"
#: Rank of each layer: a module may import a lower rank, or its own subpackage.
LAYERS = {
    "retrosim": 0, "_version": 0, "errors": 0, "units": 0, "randomness": 0, "variables": 0,
    "physiology": 1, "controllers": 1,
    "model": 2,
    "solve": 3,
    "engine": 4,
    "events": 5,
    "results": 6,
    "api": 7,
    "scale": 8, "testing": 8, "validation": 8, "ftms": 8,
    "design": 8,
    "fit": 8,
    "report": 9,
    "app": 10,
    "cli": 11, "pytest_plugin": 11,
    "__main__": 12,
}


#: What ``from retrosim import NAME`` takes from :mod:`retrosim.api` (through the facade).
FACADE = set(retrosim.__all__) - set(retrosim._ERRORS) - {"__version__"}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "retrosim"


def _type_checking_only(tree: ast.Module) -> set[int]:
    """Lines of the imports under ``if TYPE_CHECKING:`` at the top of a module."""
    return {n.lineno for node in tree.body if isinstance(node, ast.If)
            and "TYPE_CHECKING" in ast.unparse(node.test) for n in ast.walk(node)
            if isinstance(n, ast.Import | ast.ImportFrom)}


def imports(path: Path, known: set[str]) -> list[tuple[str, int]]:
    """Every retrosim module ``path`` imports (top level, in functions, under TYPE_CHECKING),
    with its line: ``from retrosim.x import y`` names ``retrosim.x.y`` when that is a module.

    The package's own ``__init__`` is the lazy facade: it imports ``_version`` and, for type
    checkers only, :mod:`retrosim.api` (``__getattr__`` loads it on first use); an import of
    the bare package (``import retrosim`` for ``__version__``) loads nothing else."""
    out = []
    tree = ast.parse(path.read_text(encoding="utf-8"))
    facade = path == PACKAGE / "__init__.py"
    skip = _type_checking_only(tree) if facade else set()
    for node in ast.walk(tree):
        if getattr(node, "lineno", None) in skip:
            continue
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in known
                     else "retrosim.api" if node.module == "retrosim" and a.name in FACADE
                     else node.module for a in node.names]
        else:
            continue
        out += [(n, node.lineno) for n in names if n.startswith("retrosim.")
                and not (facade and n == "retrosim._version")]
    return out


def graph() -> dict[str, list[tuple[str, int]]]:
    files = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    known = set(files)
    return {m: imports(p, known) for m, p in files.items()}


def test_every_layer_is_ranked():
    assert {layer(m) for m in graph()} <= set(LAYERS)


def test_no_module_imports_a_layer_above_or_beside_its_own():
    wrong = [f"{m}:{line} imports {dst}" for m, edges in graph().items() for dst, line in edges
             if layer(dst) != layer(m) and LAYERS[layer(dst)] >= LAYERS[layer(m)]
             and layer(dst) != "retrosim"]
    assert not wrong, "upward imports:\n" + "\n".join(wrong)


def test_no_import_cycle():
    edges = {m: {d for d, _ in e if d != m} for m, e in graph().items()}
    seen: dict[str, int] = {}            # 1 on the current path, 2 done
    cycles = []

    def visit(m: str, path: list[str]) -> None:
        seen[m] = 1
        for d in sorted(edges.get(m, ())):
            if seen.get(d) == 1:
                cycles.append(" -> ".join(path[path.index(d):] + [d]))
            elif d not in seen:
                visit(d, [*path, d])
        seen[m] = 2

    for m in sorted(edges):
        if m not in seen:
            visit(m, [m])
    assert not cycles, "import cycles:\n" + "\n".join(cycles)


@pytest.mark.parametrize("module", ["retrosim", "retrosim.physiology.energy",
                                    "retrosim.physiology", "retrosim.model.protocol",
                                    "retrosim.variables"])
def test_the_pure_layers_load_neither_simpy_nor_xarray(module):
    code = (f"import sys, {module}; heavy = {{'simpy', 'xarray', 'retrosim.engine'}}"
            " & set(sys.modules); print(sorted(heavy)); sys.exit(bool(heavy))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_public_names_load_on_first_use():
    code = ("import retrosim, sys; assert 'retrosim.api' not in sys.modules; "
            "ds = retrosim.run(retrosim.load_scenario('compendium-2011'), traces=False); "
            "print(round(float(ds.energy_total[0, 0])), retrosim.Scenario.__module__)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["46", "retrosim.model.scenario"]
