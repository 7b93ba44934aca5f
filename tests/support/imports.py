"""What a package's modules import, read from their source with `ast` (every import statement: top level, inside
functions, relative ones resolved), so a test can forbid one part of the code base from depending on another."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def imported_modules(path: Path, top: Path = ROOT) -> list[str]:
    """Every module `path` imports, relative imports resolved against its package (`top` holds the packages)."""
    package = ".".join(path.relative_to(top).with_suffix("").parts)
    if path.name != "__init__.py":
        package = package.rsplit(".", 1)[0]
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            names += [base, *(f"{base}.{alias.name}" for alias in node.names)]
    return names


def forbidden_imports(package_dir: Path, forbidden: tuple[str, ...], top: Path = ROOT) -> list[str]:
    """`"<file>: <module>"` for each import under `package_dir` of a module in (or under) `forbidden`."""
    found = []
    for path in sorted(package_dir.rglob("*.py")):
        for name in imported_modules(path, top):
            if any(name == f or name.startswith(f + ".") for f in forbidden):
                found.append(f"{path.relative_to(top).as_posix()}: {name}")
    return found
