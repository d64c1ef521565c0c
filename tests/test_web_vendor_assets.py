"""The front-end libraries ship inside the package: served without node_modules, carried by a wheel,
and working from a fresh install that has nothing of the source tree."""

from __future__ import annotations

import re
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from web import vendor_assets
from web.vendor_assets import VENDOR_DIR, VENDOR_FILES, VendorAssetsError, build_vendor

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ROOT / "web" / "templates"
VENDOR_URL = re.compile(r"url_for\('assets\.vendor', name='([^']+)'\)")


@pytest.fixture
def client(tmp_path: Path):
    from test_web_support import make_app

    return make_app(tmp_path).test_client()


def test_every_vendored_file_is_in_the_package_with_its_licence() -> None:
    for vendored in VENDOR_FILES:
        assert (VENDOR_DIR / vendored.name).stat().st_size > 1000, vendored.name
    licences = {p.name for p in (VENDOR_DIR / "licences").iterdir()}
    assert {"cytoscape.LICENSE", "cytoscape-fcose.LICENSE", "zazuko-yasgui.LICENSE", "pivottable.LICENSE",
            "jquery.LICENSE", "jquery-ui.LICENSE"} <= licences
    assert all("MIT" in (VENDOR_DIR / "licences" / name).read_text() for name in licences)
    assert not VENDOR_DIR.is_relative_to(vendor_assets.NODE_MODULES)


def test_templates_load_only_vendored_files() -> None:
    names = {m for t in TEMPLATES.glob("*.html") for m in VENDOR_URL.findall(t.read_text())}
    assert {"cytoscape.min.js", "cytoscape-fcose.js", "yasgui.min.js", "yasgui.min.css", "pivot.min.js",
            "pivot.min.css", "jquery.min.js", "jquery-ui.min.js"} <= names
    assert names <= {f.name for f in VENDOR_FILES}


def test_vendor_files_are_served_without_node_modules(client, monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setattr(vendor_assets, "NODE_MODULES", tmp_path / "no-node-modules")
    for vendored in VENDOR_FILES:
        response = client.get(f"/assets/vendor/{vendored.name}")
        assert response.status_code == 200, vendored.name
        expected = "text/css" if vendored.name.endswith(".css") else "text/javascript"
        assert response.mimetype == expected
        response.close()
    assert client.get("/assets/vendor/package.json").status_code == 404
    assert client.get("/assets/vendor/licences").status_code == 404


def test_build_keeps_committed_copies_without_node_modules(tmp_path: Path) -> None:
    assert build_vendor(tmp_path / "absent", VENDOR_DIR) == []
    with pytest.raises(VendorAssetsError, match="npm ci"):
        build_vendor(tmp_path / "absent", tmp_path / "empty-vendor")


def test_build_copies_from_node_modules(tmp_path: Path) -> None:
    node_modules = tmp_path / "node_modules"
    for vendored in VENDOR_FILES:
        src = node_modules / vendored.package / vendored.path
        src.parent.mkdir(parents=True, exist_ok=True)
        src.write_text(f"/* {vendored.name} */", encoding="utf-8")
        (node_modules / vendored.package / "package.json").write_text('{"version": "9.9.9"}')
        (node_modules / vendored.package / (vendored.licence or "LICENSE")).write_text("MIT License, made up")
    out = tmp_path / "vendor"
    copied = build_vendor(node_modules, out)
    assert sorted(copied) == sorted(f.name for f in VENDOR_FILES)
    assert (out / "cytoscape.min.js").read_text() == "/* cytoscape.min.js */"
    assert (out / "licences" / "cytoscape.LICENSE").read_text() == "MIT License, made up"
    assert "9.9.9" in (out / "vendor.json").read_text()
    assert build_vendor(node_modules, out) == []  # unchanged files are not copied again


@pytest.mark.slow
def test_wheel_carries_the_vendor_files_and_a_fresh_install_serves_them(tmp_path: Path) -> None:
    """``pip wheel .`` runs the build hook; the wheel, unpacked into a fresh virtual environment
    (no source tree on its path, no node_modules), serves every file the templates load."""
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                    str(ROOT), "-w", str(wheels)], check=True, cwd=tmp_path, capture_output=True)
    (wheel,) = wheels.glob("councilkg-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        for vendored in VENDOR_FILES:
            assert f"web/static/vendor/{vendored.name}" in names
        assert "web/static/vendor/licences/zazuko-yasgui.LICENSE" in names
        assert not any("node_modules" in n for n in names)
        venv = tmp_path / "venv"
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
        site = Path(sysconfig.get_path("purelib", vars={"base": str(venv), "platbase": str(venv)}))
        archive.extractall(site)  # a pure-Python wheel installs by unpacking
    # The project's dependencies come from the test's own environment, after the fresh install.
    (site / "zz_dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    script = (
        "import re, web, pathlib, sys\n"
        "from web import create_app\n"
        "from councilkg.settings import Settings\n"
        f"assert pathlib.Path(web.__file__).is_relative_to({str(site)!r}), web.__file__\n"
        "app = create_app({'TESTING': True, 'SETTINGS': Settings.load("
        f"{{'data_dir': {str(tmp_path / 'data')!r}}}, environ={{}})}})\n"
        "client = app.test_client()\n"
        "names = set()\n"
        "for t in (pathlib.Path(web.__file__).parent / 'templates').glob('*.html'):\n"
        f"    names |= set(re.findall({VENDOR_URL.pattern!r}, t.read_text()))\n"
        "assert names\n"
        "for name in sorted(names):\n"
        "    r = client.get('/assets/vendor/' + name)\n"
        "    assert r.status_code == 200 and len(r.get_data()) > 1000, name\n"
        "print('served', len(names))\n"
    )
    python = venv / "bin" / "python"
    done = subprocess.run([str(python), "-c", script], cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.startswith("served")


def test_committed_copies_match_the_pinned_packages(tmp_path: Path) -> None:
    """web/package.json pins each package at the version the committed copy came from, and
    where npm has installed them, the copies are byte for byte what the packages hold."""
    import json

    pinned = json.loads((ROOT / "web" / "package.json").read_text())["dependencies"]
    manifest = json.loads((VENDOR_DIR / "vendor.json").read_text())
    locked = json.loads((ROOT / "web" / "package-lock.json").read_text())["packages"]
    for vendored in VENDOR_FILES:  # direct packages are pinned, the layouts' bases come locked
        version = manifest[vendored.name]["version"]
        assert pinned.get(vendored.package, version) == version
        assert locked[f"node_modules/{vendored.package}"]["version"] == version
    assert {"cytoscape", "cytoscape-fcose", "@zazuko/yasgui", "pivottable", "jquery",
            "jquery-ui"} <= set(pinned)
    node_modules = vendor_assets.NODE_MODULES
    if not all((node_modules / f.package / f.path).is_file() for f in VENDOR_FILES):
        pytest.skip("web/node_modules is not installed (scripts/setup.sh)")
    fresh = tmp_path / "vendor"
    build_vendor(node_modules, fresh)
    for vendored in VENDOR_FILES:
        assert (fresh / vendored.name).read_bytes() == (VENDOR_DIR / vendored.name).read_bytes(), (
            f"{vendored.name} is stale: run python -m web.vendor_assets")
