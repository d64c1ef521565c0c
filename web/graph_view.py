"""Shaping a neighbourhood (``kg.browse.GraphView``) for the graph page and its JSON.

The kg layer may give several edges between the same two entities (one per fact type, and a
generic "fact" beside the specific one); a person reads one line per neighbour, so edges
between the same pair are merged and their labels listed, the generic label dropped when a
specific one is there.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

GENERIC_LABELS = frozenset({"fact", "thing"})
NOT_ENTITIES = frozenset({"thing", ""})


def merged_edges(edges: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One edge per unordered pair of nodes, its ``label`` the distinct relation names.

    ``years`` are the years of every merged relation; ``years_by_label`` keeps them per
    relation name, so a page that filters by relation and year shows an edge only for a
    ticked relation in a chosen year (a generic label's years go to the specific labels).
    """
    pairs: dict[tuple[str, str], dict[str, Any]] = {}
    for edge in edges:
        key = tuple(sorted((edge["source"], edge["target"])))
        merged = pairs.setdefault(key, {"id": "|".join(key), "source": edge["source"],
                                        "target": edge["target"], "labels": [], "by_label": {}})
        if edge["label"] not in merged["labels"]:
            merged["labels"].append(edge["label"])
        merged["by_label"].setdefault(edge["label"], set()).update(edge.get("years", ()))
    for merged in pairs.values():
        by_label: dict[str, set[int]] = merged.pop("by_label")
        specific = [lbl for lbl in merged["labels"] if lbl not in GENERIC_LABELS]
        merged["labels"] = sorted(specific or merged["labels"])
        merged["label"] = ", ".join(merged["labels"])
        generic = set().union(*(by_label[lbl] for lbl in by_label if lbl not in merged["labels"]))
        merged["years_by_label"] = {lbl: sorted(by_label.get(lbl, set()) | generic)
                                    for lbl in merged["labels"]}
        merged["years"] = sorted(set().union(*by_label.values()))
    return list(pairs.values())


def graph_data(view: Any, url_of: Callable[[str], str]) -> dict[str, Any]:
    """Nodes (with their page URL) and merged edges of a neighbourhood, ready as JSON.

    Only entities are drawn: nodes of no entity kind (time periods, extraction runs, role
    concepts that are a fact's details rather than a party) are left out, with their edges.
    """
    nodes = [
        {**node, "url": url_of(node["id"])}
        for node in view.nodes
        if node["id"] == view.center or node.get("kind") not in NOT_ENTITIES
    ]
    kept = {node["id"] for node in nodes}
    edges = [e for e in view.edges if e["source"] in kept and e["target"] in kept]
    return {"center": view.center, "nodes": nodes, "edges": merged_edges(edges),
            "note": limit_note(view, nodes)}


def limit_note(view: Any, nodes: list[dict[str, Any]]) -> str | None:
    """A "showing n of m" line when the kg layer kept only the most connected neighbours (else None)."""
    total = getattr(view, "total", None)
    complete = getattr(view, "complete", True)
    drawn = len(view.nodes) - 1
    if complete and (total is None or total <= drawn):
        return None
    shown = len(nodes) - 1
    more = "" if complete else " or more"
    return (f"Showing the {shown} most connected of {total}{more} neighbours; "
            "filter by year or authority, or centre on a neighbour, to see others.")


def neighbour_rows(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The neighbours of the centre, one row each with its relations, their edge's id and its
    years, by kind then name."""
    nodes = {n["id"]: n for n in data["nodes"]}
    rows = []
    for edge in data["edges"]:
        other = edge["target"] if edge["source"] == data["center"] else edge["source"]
        if other in nodes and other != data["center"]:
            rows.append({**nodes[other], "relations": edge["label"], "edge": edge["id"],
                         "years": ", ".join(map(str, edge.get("years", ())))})
    return sorted(rows, key=lambda r: (r.get("kind", ""), r.get("label", "").lower()))
