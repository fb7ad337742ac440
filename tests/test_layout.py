"""The package's layout rules (issue 18), checked on the source so a change that breaks one fails.

- a handful of top-level modules, one subpackage per step of the method;
- no private name (``_x``) imported or reached across modules;
- no import cycle between subpackages (module-level and lazy imports alike);
- computation never imports rendering: only ``charts``, ``widgets``, the HTML rendering and the
  CLI import ``charts`` / ``widgets`` modules.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

import rcu_kit

PACKAGE = Path(rcu_kit.__file__).resolve().parent
STEPS = {"core", "sources", "vision", "values", "audit", "mapping", "standardise", "linkage", "dedup",
         "golden", "roadmap", "report", "jupyter"}
RENDERING = {"charts", "widgets", "html"}


def _modules() -> dict[str, ast.Module]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        if "notebooks" in path.relative_to(PACKAGE).parts:
            continue  # nbval's conftest, not package code
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        name = ".".join(("rcu_kit", *parts[:-1])) if parts[-1] == "__init__" else \
            ".".join(("rcu_kit", *parts))
        out[name] = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return out


MODULES = _modules()


def _imports(tree: ast.Module, module: str) -> list[tuple[str, list[str]]]:
    """(imported module, names) for every import of an rcu_kit module, at any depth."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            assert not node.level, f"{module}: relative import (the package uses absolute ones)"
            if base.startswith("rcu_kit"):
                found.append((base, [a.name for a in node.names]))
        elif isinstance(node, ast.Import):
            found += [(a.name, []) for a in node.names if a.name.startswith("rcu_kit")]
    return found


def _step(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in STEPS else None


def test_a_handful_of_top_level_modules_and_one_subpackage_per_step():
    top = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(top) <= 12, top
    assert top == ["__init__.py", "cli.py"]
    assert {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()} == STEPS


@pytest.mark.parametrize("step", sorted(STEPS))
def test_each_step_exports_a_small_public_surface(step):
    import importlib

    package = importlib.import_module(f"rcu_kit.{step}")
    exported = getattr(package, "__all__", [])
    assert all(hasattr(package, name) for name in exported)
    assert len(exported) <= 25, f"rcu_kit.{step} exports {len(exported)} names"


def test_no_private_name_crosses_modules():
    problems = []
    for module, tree in MODULES.items():
        for imported, names in _imports(tree, module):
            private = [n for n in names if n.startswith("_") and not n.startswith("__")]
            if private and imported != module:
                problems.append(f"{module} imports {', '.join(private)} from {imported}")
            if imported.rsplit(".", 1)[-1].startswith("_") and not imported.endswith("__init__"):
                problems.append(f"{module} imports the private module {imported}")
        # module._name where the module was imported as a name
        aliases = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("rcu_kit"):
                for a in node.names:
                    if f"{node.module}.{a.name}" in MODULES:
                        aliases[a.asname or a.name] = f"{node.module}.{a.name}"
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
                    and node.value.id in aliases and node.attr.startswith("_") \
                    and not node.attr.startswith("__"):
                problems.append(f"{module} reaches {aliases[node.value.id]}.{node.attr}")
    assert problems == [], "\n".join(problems)


def test_no_import_cycle_between_subpackages():
    edges: dict[str, set[str]] = defaultdict(set)
    for module, tree in MODULES.items():
        source = _step(module)
        for imported, _ in _imports(tree, module):
            target = _step(imported)
            if source and target and source != target:
                edges[source].add(target)
    # depth-first search for a cycle, reporting its path
    state: dict[str, int] = {}
    cycles = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(edges[node]):
            if state.get(nxt) == 1:
                cycles.append(" -> ".join(path[path.index(nxt):] + [nxt]) if nxt in path
                              else f"{node} -> {nxt}")
            elif not state.get(nxt):
                visit(nxt, path + [nxt])
        state[node] = 2

    for step in sorted(STEPS):
        if not state.get(step):
            visit(step, [step])
    assert cycles == []


def test_computation_never_imports_charts_or_widgets():
    problems = []
    for module, tree in MODULES.items():
        leaf = module.rsplit(".", 1)[-1]
        if leaf in RENDERING or module == "rcu_kit.cli":
            continue
        for imported, names in _imports(tree, module):
            targets = [imported] + [f"{imported}.{n}" for n in names]
            rendering = [t for t in targets if t in MODULES and t.rsplit(".", 1)[-1] in
                         {"charts", "widgets"}]
            if rendering:
                problems.append(f"{module} imports {', '.join(rendering)}")
    assert problems == []
