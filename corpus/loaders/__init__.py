"""Loaders registered by file suffix; each imports its heavy library only when called.

A loader is a function ``load(data: bytes, name: str) -> LoadedSource`` that raises
:class:`councilkg.errors.InputError` with a one-line reason for input it cannot read. The
registry maps a suffix to a ``"module:function"`` path (as rdflib's plugin registry does),
so that ``import corpus`` never imports pdfplumber or python-docx.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from corpus.source import LoadedSource
from councilkg.errors import InputError

Loader = Callable[[bytes, str], LoadedSource]

_REGISTRY: dict[str, str] = {}


def register_loader(suffixes: tuple[str, ...], target: str) -> None:
    """Register ``target`` (``"package.module:function"``) for each suffix (``".pdf"``)."""
    for suffix in suffixes:
        _REGISTRY[suffix.lower()] = target


def supported_suffixes() -> list[str]:
    """Every registered suffix, sorted."""
    return sorted(_REGISTRY)


def get_loader(suffix: str) -> Loader:
    """The loader for ``suffix``; :class:`InputError` when no loader handles it."""
    target = _REGISTRY.get(suffix.lower())
    if target is None:
        shown = suffix or "(none)"
        raise InputError(f"unsupported file type {shown} (supported: {', '.join(supported_suffixes())})")
    module_name, function_name = target.split(":")
    return getattr(importlib.import_module(module_name), function_name)


register_loader((".txt", ".md", ".text"), "corpus.loaders.text:load_text")
register_loader((".html", ".htm"), "corpus.loaders.html:load_html")
register_loader((".pdf",), "corpus.loaders.pdf:load_pdf")
register_loader((".docx",), "corpus.loaders.docx:load_docx")
