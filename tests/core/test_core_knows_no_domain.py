"""Core is what every domain uses and it knows no domain: no module under kehu/core imports org or notify.

Permissions reach core through `user.has_perm()` (org's RoleBackend), menu badges and top-bar counters through
registries the apps fill. The walk reads every import statement, also those inside functions and relative ones.
"""

import ast
from pathlib import Path

import kehu.core

CORE = Path(kehu.core.__file__).parent
FORBIDDEN = ("kehu.org", "kehu.notify")


def imported_modules(path: Path, top: Path) -> list[str]:
    """Every module `path` imports, relative imports resolved against its package (`top` holds `kehu/`)."""
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


def forbidden_imports(root: Path) -> list[str]:
    found = []
    for path in sorted(root.rglob("*.py")):
        for name in imported_modules(path, root.parent.parent):
            if any(name == f or name.startswith(f + ".") for f in FORBIDDEN):
                found.append(f"{path.relative_to(root.parent.parent)}: {name}")
    return found


def test_no_core_module_imports_org_or_notify():
    assert forbidden_imports(CORE) == []


def test_the_walk_finds_absolute_relative_and_function_level_imports(tmp_path):
    package = tmp_path / "kehu" / "core"
    (package / "sub").mkdir(parents=True)
    (package / "a.py").write_text("from kehu.org.scope import has_module_perm\n")
    (package / "b.py").write_text("def f():\n    import kehu.notify.services\n")
    (package / "sub" / "c.py").write_text("from ...org import models\nfrom .. import menus\n")
    (package / "d.py").write_text("from kehu.organisation import x\nfrom kehu.core import menus\n")
    assert forbidden_imports(package) == [
        "kehu/core/a.py: kehu.org.scope",
        "kehu/core/a.py: kehu.org.scope.has_module_perm",
        "kehu/core/b.py: kehu.notify.services",
        "kehu/core/sub/c.py: kehu.org",
        "kehu/core/sub/c.py: kehu.org.models",
    ]
