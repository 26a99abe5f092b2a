"""ARCHITECTURE.md's import boundaries, enforced on the source."""

import ast
from pathlib import Path

import zhizao

ROOT = Path(zhizao.__file__).parent
DOMAINS = {"identifiers", "events", "trace", "projects", "stats"}
EDGES = {"api", "web", "cli", "demo"}
# Pure libraries a domain may use besides the standard library.
DOMAIN_THIRD_PARTY = {"cryptography", "jsonschema_rs"}


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def package_of(path: Path) -> str:
    rel = path.relative_to(ROOT)
    return rel.parts[0].removesuffix(".py") if len(rel.parts) > 1 else rel.stem


def test_import_boundaries():
    import sys

    stdlib = sys.stdlib_module_names
    problems = []
    for path in ROOT.rglob("*.py"):
        pkg = package_of(path)
        for name in imports_of(path):
            top = name.split(".")[0]
            inner = name.split(".")[1] if top == "zhizao" and "." in name else None
            if inner in EDGES and pkg not in EDGES | {"__main__"}:
                problems.append(f"{path.relative_to(ROOT)} imports the edge {name}")
            if pkg in DOMAINS:
                ok = (
                    top in stdlib
                    or top in DOMAIN_THIRD_PARTY
                    or (top == "zhizao" and (inner in DOMAINS or inner == "errors"))
                )
                if not ok:
                    problems.append(f"domain module {path.relative_to(ROOT)} imports {name}")
            if (
                pkg == "storage"
                and top == "zhizao"
                and inner not in DOMAINS | {"errors", "storage"}
            ):
                problems.append(f"storage module {path.relative_to(ROOT)} imports {name}")
            if pkg == "errors" and top == "zhizao":
                problems.append(f"errors.py imports {name}")
    assert not problems, "\n".join(problems)


def test_only_settings_reads_the_environment():
    offenders = [
        str(p.relative_to(ROOT))
        for p in ROOT.rglob("*.py")
        if p.name != "settings.py"
        and ("os.environ.get" in p.read_text() or "getenv" in p.read_text())
    ]
    assert offenders == []
