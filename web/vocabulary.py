"""The vocabulary the SPARQL workbench completes: prefixes, classes and properties of our graph.

Read from the ontology (``ontology/councilkg.ttl``: every term it declares, and the reused
terms it builds on) and from the SHACL shapes (``ontology/shapes.ttl``: the properties and
classes the graph really uses), so completion offers exactly the terms a query can match.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

ONTOLOGY_DIR = Path(__file__).resolve().parents[1] / "ontology"
EXTRA_PREFIXES = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "id": "https://w3id.org/councilkg/id/",
}
"""Prefixes every query may want that the ontology file does not declare."""


@dataclass(frozen=True)
class Vocabulary:
    """Prefix → namespace, and the full IRIs of the classes and properties, sorted."""

    prefixes: dict[str, str] = field(default_factory=dict)
    classes: list[str] = field(default_factory=list)
    properties: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        """The vocabulary as JSON for the workbench (``prefixes`` also as ``"p: <ns>"`` lines)."""
        data = asdict(self)
        data["prefix_lines"] = [f"{p}: <{ns}>" for p, ns in sorted(self.prefixes.items())]
        return data


def _stamp(directory: Path) -> tuple[float, ...]:
    return tuple(p.stat().st_mtime if p.is_file() else 0.0
                 for p in (directory / "councilkg.ttl", directory / "shapes.ttl"))


def vocabulary(directory: Path = ONTOLOGY_DIR) -> Vocabulary:
    """The workbench vocabulary of the ontology in ``directory`` (re-read when its files change)."""
    return _read(str(directory), _stamp(directory))


@lru_cache(maxsize=4)
def _read(directory: str, _stamp: tuple[float, ...]) -> Vocabulary:
    from rdflib import OWL, RDF, RDFS, Graph, URIRef
    from rdflib.namespace import SH

    graph, shapes = Graph(), Graph()
    ontology, shapes_path = Path(directory) / "councilkg.ttl", Path(directory) / "shapes.ttl"
    if ontology.is_file():
        graph.parse(ontology, format="turtle")
    if shapes_path.is_file():
        shapes.parse(shapes_path, format="turtle")
    class_types = {OWL.Class, RDFS.Class}
    property_types = {OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, RDF.Property}
    classes: set[URIRef] = set()
    properties: set[URIRef] = set()
    for term, kind in graph.subject_objects(RDF.type):
        if kind in class_types:
            classes.add(term)
        elif kind in property_types:
            properties.add(term)
    for predicate in (RDFS.subClassOf, RDFS.domain, RDFS.range):
        classes.update(graph.objects(None, predicate))
    properties.update(graph.objects(None, RDFS.subPropertyOf))
    properties.update(shapes.objects(None, SH.path))
    classes.update(shapes.objects(None, SH["class"]))
    classes.update(shapes.objects(None, SH.targetClass))
    properties.update({RDF.type, RDFS.label, RDFS.comment})
    prefixes = {prefix: str(ns) for prefix, ns in graph.namespaces() if prefix}
    prefixes = {p: ns for p, ns in prefixes.items() if any(str(t).startswith(ns)
                                                          for t in classes | properties)}
    prefixes.update(EXTRA_PREFIXES)
    prefixes.setdefault("rdfs", str(RDFS))
    prefixes.setdefault("xsd", "http://www.w3.org/2001/XMLSchema#")
    return Vocabulary(
        prefixes=dict(sorted(prefixes.items())),
        classes=sorted(str(c) for c in classes
                       if isinstance(c, URIRef) and not str(c).startswith(prefixes["xsd"])),
        properties=sorted(str(p) for p in properties if isinstance(p, URIRef)),
    )
