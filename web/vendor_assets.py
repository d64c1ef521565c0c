"""The explorer's front-end libraries, copied from ``web/node_modules`` into the package.

npm installs the packages named in ``web/package.json``; this module copies the few built files
the pages load (and each package's licence) into ``web/static/vendor/``, which is package data,
so a wheel or a plain ``pip install .`` carries them and no page depends on ``node_modules``.
The copies are committed too (every package here is MIT licensed), so a checkout without npm
still has them. ``setup.py`` runs :func:`build_vendor` whenever the package is built, and
``scripts/setup.sh`` runs ``python -m web.vendor_assets`` after ``npm ci``.

Standard library only: the build backend loads this file before any dependency is installed.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

WEB_DIR = Path(__file__).resolve().parent
NODE_MODULES = WEB_DIR / "node_modules"
VENDOR_DIR = WEB_DIR / "static" / "vendor"
MANIFEST_NAME = "vendor.json"


@dataclass(frozen=True)
class VendorFile:
    """One built file of an npm package that a page loads, served as ``/assets/vendor/<name>``."""

    name: str
    package: str
    path: str
    licence: str = "LICENSE"


VENDOR_FILES: tuple[VendorFile, ...] = (
    VendorFile("cytoscape.min.js", "cytoscape", "dist/cytoscape.min.js"),
    # fcose (a force-directed layout that keeps nodes and their labels apart) and the two
    # layout packages it is built on, each a UMD file that sets a browser global.
    VendorFile("layout-base.js", "layout-base", "layout-base.js"),
    VendorFile("cose-base.js", "cose-base", "cose-base.js"),
    VendorFile("cytoscape-fcose.js", "cytoscape-fcose", "cytoscape-fcose.js"),
    # YASGUI bundles its editor (YASQE, on CodeMirror) and results views (YASR) in one file.
    VendorFile("yasgui.min.js", "@zazuko/yasgui", "build/yasgui.min.js", licence=""),
    VendorFile("yasgui.min.css", "@zazuko/yasgui", "build/yasgui.min.css", licence=""),
    # The workbench's pivot view: PivotTable.js (its table, bar-table and heatmap renderers)
    # on jQuery, with jQuery UI for dragging columns between the pivot's axes. YASGUI's own
    # jQuery is sealed inside its bundle, so the pivot brings its own.
    VendorFile("jquery.min.js", "jquery", "dist/jquery.min.js", licence="LICENSE.txt"),
    VendorFile("jquery-ui.min.js", "jquery-ui", "dist/jquery-ui.min.js", licence="LICENSE.txt"),
    VendorFile("pivot.min.js", "pivottable", "dist/pivot.min.js", licence="LICENSE.md"),
    VendorFile("pivot.min.css", "pivottable", "dist/pivot.min.css", licence="LICENSE.md"),
)
"""Every vendored file; only these names are served."""

MEDIA_TYPES = {".js": "text/javascript", ".css": "text/css"}

YASGUI_LICENCE = """\
@zazuko/yasgui (https://github.com/rdfjs/Yasgui), MIT License, as its package.json declares
(the npm package carries no LICENSE file of its own).

Copyright (c) Triply and Zazuko GmbH

Permission is hereby granted, free of charge, to any person obtaining a copy of this software
and associated documentation files (the "Software"), to deal in the Software without
restriction, including without limitation the rights to use, copy, modify, merge, publish,
distribute, sublicense, and/or sell copies of the Software, and to permit persons to whom the
Software is furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all copies or
substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING
BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND
NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM,
DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.

The bundle includes, under their own licences (their notices are kept in the minified file):
CodeMirror 5 (MIT), jQuery (MIT), DataTables (MIT), N3.js (MIT), PapaParse (MIT), Choices.js
(MIT), SortableJS (MIT), lodash (MIT), DOMPurify (Apache-2.0 or MPL-2.0) and Font Awesome Free
icons (CC BY 4.0, code MIT).
"""


class VendorAssetsError(RuntimeError):
    """A vendored file is missing from both ``node_modules`` and the package."""


def _package_version(package_dir: Path) -> str:
    try:
        return str(json.loads((package_dir / "package.json").read_text("utf-8"))["version"])
    except (OSError, ValueError, KeyError):
        return "unknown"


def missing_files(vendor_dir: Path = VENDOR_DIR) -> list[str]:
    """The vendored file names absent from ``vendor_dir``."""
    return [f.name for f in VENDOR_FILES if not (vendor_dir / f.name).is_file()]


def build_vendor(node_modules: Path = NODE_MODULES, vendor_dir: Path = VENDOR_DIR) -> list[str]:
    """Copy every vendored file and its package's licence from ``node_modules`` to ``vendor_dir``.

    Without ``node_modules`` the files already in ``vendor_dir`` (the committed copies) are
    kept; a file found in neither raises :class:`VendorAssetsError`. Returns the names copied.
    """
    copied: list[str] = []
    sources = [(f, node_modules / f.package / f.path) for f in VENDOR_FILES]
    if not all(src.is_file() for _, src in sources):
        absent = missing_files(vendor_dir)
        if absent:
            raise VendorAssetsError(
                f"front-end files missing: {', '.join(absent)} (run `npm ci` in web/, then "
                "`python -m web.vendor_assets`)"
            )
        return copied
    vendor_dir.mkdir(parents=True, exist_ok=True)
    licences = vendor_dir / "licences"
    licences.mkdir(exist_ok=True)
    manifest: dict[str, dict[str, str]] = {}
    for vendored, src in sources:
        target = vendor_dir / vendored.name
        if not target.is_file() or target.read_bytes() != src.read_bytes():
            shutil.copyfile(src, target)
            copied.append(vendored.name)
        package_dir = node_modules / vendored.package
        licence_name = vendored.package.replace("@", "").replace("/", "-") + ".LICENSE"
        if not vendored.licence:  # YASGUI's package declares MIT but carries no licence file
            licence_text = YASGUI_LICENCE
        elif (package_dir / vendored.licence).is_file():
            licence_text = (package_dir / vendored.licence).read_text("utf-8")
        else:
            raise VendorAssetsError(f"{vendored.package} has no {vendored.licence} in {package_dir}")
        (licences / licence_name).write_text(licence_text, "utf-8")
        manifest[vendored.name] = {
            "package": vendored.package,
            "version": _package_version(package_dir),
            "file": vendored.path,
            "licence": f"licences/{licence_name}",
            "sha256": hashlib.sha256(target.read_bytes()).hexdigest(),
        }
    text = json.dumps(manifest, indent=2, sort_keys=True) + "\n"
    manifest_path = vendor_dir / MANIFEST_NAME
    if not manifest_path.is_file() or manifest_path.read_text("utf-8") != text:
        manifest_path.write_text(text, "utf-8")
    return copied


def main() -> int:
    """``python -m web.vendor_assets``: refresh the vendored files; one line per outcome."""
    try:
        copied = build_vendor()
    except VendorAssetsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"vendored front-end files up to date ({len(copied)} copied) in {VENDOR_DIR}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
