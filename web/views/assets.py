"""Front-end packages served from ``web/node_modules`` (installed by npm, never committed).

Only the files listed here can be served, so no request path reaches the file system.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, send_file

from councilkg.errors import NotFound

bp = Blueprint("assets", __name__)

NODE_MODULES = Path(__file__).resolve().parents[1] / "node_modules"
VENDOR_FILES = {"cytoscape.min.js": "cytoscape/dist/cytoscape.min.js"}


@bp.get("/assets/vendor/<name>")
def vendor(name: str) -> Response:
    """One whitelisted file of an npm package."""
    relative = VENDOR_FILES.get(name)
    path = NODE_MODULES / relative if relative else None
    if path is None or not path.is_file():
        raise NotFound(f"no asset {name!r} (run scripts/setup.sh to install the front-end packages)")
    response = send_file(path, mimetype="text/javascript", max_age=86400)
    return response
