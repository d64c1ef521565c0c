"""Fusing dense and keyword scores.

Plain reciprocal-rank fusion throws away how *much* better one passage is than the next,
so a keyword list full of weak matches can push down a clear dense winner. Here each
retriever's scores are divided by its own best score (so a passage keeps its distance from
that retriever's winner, whatever the pool's worst candidate happened to be) and combined
convexly with equal weights: the encoder finds paraphrases, the keyword side rescues exact names,
numbers and acronyms the encoder blurs, and a passage both agree on wins.
"""

from __future__ import annotations

from collections.abc import Mapping

DENSE_WEIGHT = 0.5
"""Share of the dense score in the fused score.

Equal weights: the no-prior choice, not tuned to a question set.
"""


def min_max(scores: Mapping[int, float]) -> dict[int, float]:
    """Scores rescaled to [0, 1] over their own range (all 1.0 when they are all equal)."""
    if not scores:
        return {}
    low, high = min(scores.values()), max(scores.values())
    if high - low < 1e-9:
        return dict.fromkeys(scores, 1.0)
    return {key: (value - low) / (high - low) for key, value in scores.items()}


def relative_to_best(scores: Mapping[int, float]) -> dict[int, float]:
    """Scores divided by the best one, negatives as 0 (all 1.0 when none is positive)."""
    best = max(scores.values(), default=0.0)
    if best <= 1e-9:
        return dict.fromkeys(scores, 1.0)
    return {key: max(0.0, value) / best for key, value in scores.items()}


def fuse_scores(
    dense: Mapping[int, float],
    keyword: Mapping[int, float],
    keyword_confidence: float = 1.0,
    dense_weight: float = DENSE_WEIGHT,
) -> dict[int, float]:
    """Convex combination of normalised scores over the union of candidates.

    ``dense`` must hold a score for every candidate (cosine similarity is defined for every
    passage); each is divided by the best one (negative cosines count as 0). Keyword scores are
    divided by the best one too (a weak match stays above no match) and scaled by
    ``keyword_confidence``, the share of the query the best keyword hits cover: a keyword list
    led by a passage that matches one common word does not outvote the encoder.
    """
    dense_n = relative_to_best(dense)
    best = max(keyword.values(), default=0.0)
    keyword_n = {key: keyword_confidence * value / best for key, value in keyword.items()} if best > 0 else {}
    fused = {}
    for key in dense_n:
        fused[key] = dense_weight * dense_n[key] + (1 - dense_weight) * keyword_n.get(key, 0.0)
    return fused


def reciprocal_rank_fusion(rankings: list[list[int]], k: int = 60) -> dict[int, float]:
    """Classic RRF (kept as a baseline for evaluation): sum of 1 / (k + rank)."""
    fused: dict[int, float] = {}
    for ranking in rankings:
        for rank, key in enumerate(ranking, start=1):
            fused[key] = fused.get(key, 0.0) + 1.0 / (k + rank)
    return fused
