"""Front-end assets are vendored with their versions and licences; no page loads anything from the internet."""

import json
import re
from pathlib import Path

KEHU = Path(__file__).resolve().parents[2] / "kehu"
VENDOR = KEHU / "static" / "vendor"


def test_manifest_lists_exactly_the_vendored_files_with_versions_and_licences():
    manifest = json.loads((VENDOR / "MANIFEST.json").read_text())
    listed = set()
    for package in manifest:
        assert re.fullmatch(r"\d+\.\d+\.\d+", package["version"]), package
        assert package["license"] in {"MIT", "0BSD", "Apache-2.0"}
        assert package["source"] == f"npm:{package['source'][4:].rsplit('@', 1)[0]}@{package['version']}"
        listed |= {f"{package['name']}/{f}" if not f.startswith(package["name"]) else f for f in package["files"]}
    on_disk = {str(p.relative_to(VENDOR)) for p in VENDOR.rglob("*") if p.is_file()} - {"MANIFEST.json", "README.md"}
    assert on_disk == listed
    assert {p["name"] for p in manifest} >= {"bootstrap", "bootstrap-icons", "htmx", "alpinejs", "echarts"}


def test_templates_and_styles_reference_no_remote_url():
    remote = re.compile(r"""(?:src|href)\s*=\s*["'](?:https?:)?//|url\(\s*["']?(?:https?:)?//|@import\s+["']?https?:""")
    offenders = []
    for path in [*KEHU.rglob("*.html"), *KEHU.rglob("*.css"), *KEHU.rglob("*.webmanifest")]:
        if remote.search(path.read_text(encoding="utf-8", errors="ignore")):
            offenders.append(str(path.relative_to(KEHU)))
    assert offenders == []
