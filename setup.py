"""Build hook: the front-end libraries are copied into the package before it is built.

Everything else about the package is in pyproject.toml. ``build_py`` first runs
``web/vendor_assets.py`` (loaded by path: the build environment has none of the project's
dependencies), which refreshes ``web/static/vendor/`` from ``web/node_modules`` when npm has
installed it and otherwise checks that the committed copies are all there, so every wheel and
every ``pip install .`` carries the files the explorer's pages load.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent


class BuildWithVendorAssets(build_py):
    """``build_py`` that vendors the front-end files first."""

    def run(self) -> None:
        spec = importlib.util.spec_from_file_location("_councilkg_vendor_assets",
                                                      ROOT / "web" / "vendor_assets.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module  # dataclasses look their module up there
        spec.loader.exec_module(module)
        copied = module.build_vendor()
        if copied:
            print(f"vendored front-end files: {', '.join(copied)}")
        super().run()


setup(cmdclass={"build_py": BuildWithVendorAssets})
