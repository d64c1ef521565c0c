"""NLP layer: document text and blocks in, typed mentions, entities and relations out.

``Extractor`` is imported lazily so that ``import nlp`` loads no model and no spaCy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from nlp.extractor import Extractor

__all__ = ["Extractor"]


def __getattr__(name: str) -> Any:
    if name == "Extractor":
        from nlp.extractor import Extractor

        return Extractor
    raise AttributeError(name)
