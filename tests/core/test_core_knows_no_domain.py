"""Core is what every domain uses and it knows no domain: no module under kehu/core imports org or notify.

Permissions reach core through `user.has_perm()` (org's RoleBackend), menu badges and top-bar counters through
registries the apps fill. The walk reads every import statement, also those inside functions and relative ones.
"""

from tests.support.imports import ROOT, forbidden_imports

DOMAINS = ("kehu.org", "kehu.notify")


def test_no_core_module_imports_org_or_notify():
    assert forbidden_imports(ROOT / "kehu" / "core", DOMAINS) == []


def test_the_walk_finds_absolute_relative_and_function_level_imports(tmp_path):
    package = tmp_path / "kehu" / "core"
    (package / "sub").mkdir(parents=True)
    (package / "a.py").write_text("from kehu.org.scope import has_module_perm\n")
    (package / "b.py").write_text("def f():\n    import kehu.notify.services\n")
    (package / "sub" / "c.py").write_text("from ...org import models\nfrom .. import menus\n")
    (package / "d.py").write_text("from kehu.organisation import x\nfrom kehu.core import menus\n")
    assert forbidden_imports(package, DOMAINS, top=tmp_path) == [
        "kehu/core/a.py: kehu.org.scope",
        "kehu/core/a.py: kehu.org.scope.has_module_perm",
        "kehu/core/b.py: kehu.notify.services",
        "kehu/core/sub/c.py: kehu.org",
        "kehu/core/sub/c.py: kehu.org.models",
    ]
