"""Human-readable and JSON summaries of one paper's extraction (for ``councilkg extract``)."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from councilkg.settings import Settings


def extraction_summary(path: Path, settings: Settings, as_json: bool = False) -> str:
    """Load one paper, extract it and describe the result."""
    from corpus import load_document
    from nlp.extractor import Extractor

    doc = load_document(path, None, settings)
    extraction = Extractor(settings).extract(doc)
    if as_json:
        lines = [json.dumps({"entity": {**asdict(e), "aliases": sorted(e.aliases)}}, default=str)
                 for e in extraction.entities.values()]
        lines += [json.dumps({"mention": asdict(m)}, default=str) for m in extraction.mentions]
        lines += [json.dumps({"relation": asdict(r)}, default=str) for r in extraction.relations]
        return "\n".join(lines)
    out = [f"{doc.doc_id}: {len(extraction.entities)} entities, {len(extraction.mentions)} mentions, "
           f"{len(extraction.relations)} relations"]
    for e in sorted(extraction.entities.values(), key=lambda e: (e.type, e.name)):
        kind = f" [{e.kind}]" if e.kind else ""
        out.append(f"  {e.type:13} {e.name}{kind}  ({e.key})")
    for r in extraction.relations:
        out.append(f"  {r.type}: {r.subject} -> {r.object}  \"{r.evidence.quote[:70]}\"")
    return "\n".join(out)
