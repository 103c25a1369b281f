"""The house rules, checked on the source: in addin/ no import cycle between modules, no private name (_x)
imported from another module, and a pure rules core that imports nothing outside itself; in tests/ no test
file importing from another."""
from __future__ import annotations

import ast
from pathlib import Path

ADDIN = Path(__file__).resolve().parents[1] / "addin"


def _module_name(path: Path) -> str:
    parts = path.relative_to(ADDIN.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports() -> dict[str, list[tuple[str, list[str]]]]:
    """module -> [(imported module, names)] for every `import` / `from … import` in addin/."""
    out = {}
    for path in ADDIN.rglob("*.py"):
        mod = _module_name(path)
        package = mod if path.name == "__init__.py" else mod.rpartition(".")[0]
        tree = ast.parse(path.read_text(encoding="utf-8"))
        found = []
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                    base = ".".join(anchor + ([node.module] if node.module else []))
                found.append((base, [a.name for a in node.names]))
            elif isinstance(node, ast.Import):
                found.extend((a.name, []) for a in node.names)
        out[mod] = found
    return out


def _is_module(name: str) -> bool:
    path = ADDIN.parent.joinpath(*name.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def test_no_private_name_is_imported_from_another_module():
    offenders = [f"{mod}: from {base} import {name}"
                 for mod, found in _imports().items() for base, names in found
                 for name in names if name.startswith("_") and not name.startswith("__")
                 and base.startswith("addin") and base != mod]
    assert offenders == []


def test_no_import_cycle_between_modules():
    """Lazy imports inside functions count too: a cycle is a cycle whenever it is walked."""
    graph: dict[str, set[str]] = {}
    for mod, found in _imports().items():
        deps = set()
        for base, names in found:
            if not base.startswith("addin"):
                continue
            for name in names or [None]:       # `from pkg import module` imports a module, not a name
                target = f"{base}.{name}" if name and _is_module(f"{base}.{name}") else base
                if target != mod:
                    deps.add(target)
        graph[mod] = deps
    state: dict[str, int] = {}
    cycles = []

    def visit(node, stack):
        state[node] = 1
        for dep in sorted(graph.get(node, ())):
            if node.startswith(dep + "."):       # a module importing its own package's __init__
                continue
            if state.get(dep) == 1:
                cycles.append(stack[stack.index(dep):] + [dep])
            elif dep in graph and state.get(dep) is None:
                visit(dep, stack + [dep])
        state[node] = 2

    for node in sorted(graph):
        if state.get(node) is None:
            visit(node, [node])
    assert cycles == []


def test_the_rules_core_imports_nothing_outside_itself():
    outside = [f"{mod}: {base}" for mod, found in _imports().items() if mod.startswith("addin.core")
               for base, _ in found if base.startswith("addin") and not base.startswith("addin.core")]
    assert outside == []


def test_no_test_file_imports_from_another():
    """What tests share lives in tests/helpers/ (its __init__ says what is where), lazy imports included."""
    tests = Path(__file__).resolve().parent
    offenders = []
    for path in tests.glob("test_*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else \
                [a.name for a in node.names] if isinstance(node, ast.Import) else []
            offenders += [f"{path.name}: {n}" for n in names if n.startswith("tests.test_")]
    assert offenders == []
