"""Front-end libraries served from the package's ``web/static/vendor/`` as ``/assets/vendor/<name>``.

The files are package data (see :mod:`web.vendor_assets`), so they are there in a wheel or a
plain ``pip install .`` without npm. Only the files listed in ``VENDOR_FILES`` can be served,
so no request path reaches the file system.
"""

from __future__ import annotations

from flask import Blueprint, Response, send_file

from councilkg.errors import NotFound
from web.vendor_assets import MEDIA_TYPES, VENDOR_DIR, VENDOR_FILES

bp = Blueprint("assets", __name__)

SERVED = {f.name for f in VENDOR_FILES}


@bp.get("/assets/vendor/<name>")
def vendor(name: str) -> Response:
    """One whitelisted built file of a front-end package."""
    path = VENDOR_DIR / name if name in SERVED else None
    if path is None or not path.is_file():
        raise NotFound(f"no asset {name!r} (reinstall councilkg, or run python -m web.vendor_assets)")
    mimetype = MEDIA_TYPES.get(path.suffix, "application/octet-stream")
    return send_file(path, mimetype=mimetype, max_age=86400)
