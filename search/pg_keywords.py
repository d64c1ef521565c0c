"""The keyword index on PostgreSQL: FTS5's postings kept in tables, scored by FTS5's own BM25.

On SQLite the keyword index is an FTS5 table. PostgreSQL has no FTS5, and its ``tsvector``
ranking (``ts_rank``) is not BM25: the same questions would get other answers. So on a
server the keyword index is the postings themselves — ``keyword_terms(term, passage_id,
positions)`` and ``keyword_docs(id, length)`` — cut by the FTS5 tokenizer the SQLite index
uses (an in-memory FTS5 table: same Porter stems, same positions), and scored here exactly
as FTS5's ``bm25()`` scores a MATCH expression:

* single words from the in-memory :class:`~search.bm25.Postings` (read from the tables once
  per keyword generation, as on SQLite);
* phrases (``"better care fund"``) and ``NEAR`` groups from the positions of the candidate
  passages only (those holding every word, found in the in-memory postings), fetched from
  the server per query. A ``NEAR`` group keeps, as FTS5 does, only the instances that take
  part in a match (:func:`near_instances` follows ``fts5ExprNearIsMatch``).

Each phrase's IDF counts the passages holding the phrase alone, a NEAR group's instances
count as the phrase's frequency, and the score is the sum over the expression's phrases
(``-bm25()`` in FTS5's terms).
"""

from __future__ import annotations

import contextlib
import math
import re
import sqlite3
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from search.bm25 import K1, B, Postings, load_keyed, save_keyed

_PHRASE = re.compile(r'"([^"]*)"')
_NEAR = re.compile(r"NEAR\(((?:\s*\"[^\"]*\")+)\s*,\s*(\d+)\)")


@dataclass(frozen=True)
class Group:
    """One OR-branch of a MATCH expression: one phrase, or phrases under ``NEAR(..., near)``."""

    phrases: tuple[tuple[str, ...], ...]  # each phrase as its index tokens
    near: int | None = None


def parse_expression(expression: str, tokens: Callable[[str], list[str]]) -> list[Group]:
    """The OR-branches of an FTS5 MATCH expression as built by :mod:`search.keyword`
    (quoted phrases and ``NEAR("a" "b", N)`` groups joined by ``OR``), phrases tokenized."""
    groups: list[Group] = []
    rest = expression
    for match in _NEAR.finditer(expression):
        phrases = tuple(tuple(tokens(p)) for p in _PHRASE.findall(match.group(1)))
        groups.append(Group(tuple(p for p in phrases if p), int(match.group(2))))
        rest = rest.replace(match.group(0), " ")
    for phrase in _PHRASE.findall(rest):
        cut = tuple(tokens(phrase))
        if cut:
            groups.append(Group((cut,)))
    return [g for g in groups if g.phrases]


def phrase_starts(positions: Sequence[Sequence[int]]) -> list[int]:
    """Where a phrase starts in one passage, given each of its tokens' sorted positions."""
    if not positions:
        return []
    later = [set(p) for p in positions[1:]]
    return [s for s in positions[0] if all((s + j + 1) in later[j] for j in range(len(later)))]


def near_instances(
    starts: Sequence[Sequence[int]], sizes: Sequence[int], near: int
) -> list[list[int]] | None:
    """The instances of each phrase that take part in a ``NEAR(..., near)`` match in one passage
    (None when the group does not match): SQLite's ``fts5ExprNearIsMatch``, step for step."""
    if any(not s for s in starts):
        return None
    n = len(starts)
    at = [0] * n  # each phrase's reader
    out: list[list[int]] = [[] for _ in range(n)]
    matched = False
    while True:
        top = starts[0][at[0]]
        while True:
            ok = True
            for i in range(n):
                low = top - sizes[i] - near
                pos = starts[i][at[i]]
                if pos < low or pos > top:
                    ok = False
                    while starts[i][at[i]] < low:
                        at[i] += 1
                        if at[i] >= len(starts[i]):
                            return out if matched else None
                    pos = starts[i][at[i]]
                    top = max(top, pos)
            if ok:
                break
        matched = True
        for i in range(n):
            pos = starts[i][at[i]]
            if not out[i] or out[i][-1] != pos:
                out[i].append(pos)
        # advance the reader whose next position is smallest (FTS5's "lookahead")
        nxt = [starts[i][at[i] + 1] if at[i] + 1 < len(starts[i]) else math.inf for i in range(n)]
        i = min(range(n), key=lambda k: (nxt[k], k))
        if nxt[i] == math.inf:
            return out
        at[i] += 1


def _idf(hits: int, rows: int) -> float:
    value = math.log((rows - hits + 0.5) / (hits + 0.5))
    return value if value > 0 else 1e-6


PositionsOf = Callable[[str, np.ndarray], Mapping[int, list[int]]]
"""``(token, candidate passage ids) -> {passage id: sorted positions}``."""


def expression_scores(groups: list[Group], postings: Postings, positions_of: PositionsOf) -> dict[int, float]:
    """FTS5's ``-bm25()`` of every passage matching the OR of ``groups``."""
    phrases: list[tuple[str, ...]] = [p for g in groups for p in g.phrases]
    if not phrases:
        return {}
    cache: dict[str, dict[int, list[int]]] = {}

    def docs(token: str) -> np.ndarray:
        i = postings.terms.get(token)
        if i is None:
            return np.zeros(0, dtype=np.int64)
        return postings.docs[int(postings.offsets[i]) : int(postings.offsets[i + 1])]

    def candidates(tokens: Iterable[str]) -> np.ndarray:
        found: np.ndarray | None = None
        for token in dict.fromkeys(tokens):
            d = docs(token)
            found = d if found is None else np.intersect1d(found, d, assume_unique=True)
        return found if found is not None else np.zeros(0, dtype=np.int64)

    def positions(token: str, ids: np.ndarray) -> dict[int, list[int]]:
        known = cache.setdefault(token, {})
        wanted = ids[~np.isin(ids, np.fromiter(known, dtype=np.int64, count=len(known)))] if known else ids
        if wanted.shape[0]:
            known.update(positions_of(token, wanted))
        return known

    def matches(phrase: tuple[str, ...]) -> dict[int, list[int]]:
        """Passage -> start positions of ``phrase``."""
        ids = candidates(phrase)
        if len(phrase) == 1:
            if not ids.shape[0]:
                return {}
            return dict(positions(phrase[0], ids))
        per_token = [positions(t, ids) for t in phrase]
        found = {}
        for pid in ids.tolist():
            starts = phrase_starts([p.get(pid, []) for p in per_token])
            if starts:
                found[pid] = starts
        return found

    # IDF of each phrase: passages holding the phrase, alone
    idfs: list[float] = []
    for phrase in phrases:
        hits = int(docs(phrase[0]).shape[0]) if len(phrase) == 1 else len(matches(phrase))
        idfs.append(_idf(hits, postings.rows))

    freqs: dict[int, dict[int, int]] = {}  # passage -> phrase index -> instances
    base = 0
    for group in groups:
        if (group.near is None or len(group.phrases) == 1) and len(group.phrases[0]) == 1:
            i = postings.terms.get(group.phrases[0][0])  # one word: its frequency is in the postings
            if i is not None:
                lo, hi = int(postings.offsets[i]), int(postings.offsets[i + 1])
                for pid, tf in zip(
                    postings.docs[lo:hi].tolist(), postings.freqs[lo:hi].tolist(), strict=True
                ):
                    freqs.setdefault(pid, {})[base] = tf
        elif group.near is None or len(group.phrases) == 1:
            for pid, starts in matches(group.phrases[0]).items():
                freqs.setdefault(pid, {})[base] = len(starts)
        else:
            ids = candidates(t for p in group.phrases for t in p)
            if ids.shape[0]:
                per_phrase = [_starts_in(p, ids, positions) for p in group.phrases]
                sizes = [len(p) for p in group.phrases]
                for pid in ids.tolist():
                    kept = near_instances([s.get(pid, []) for s in per_phrase], sizes, group.near)
                    if kept is not None:
                        slot = freqs.setdefault(pid, {})
                        for k, inst in enumerate(kept):
                            slot[base + k] = len(inst)
        base += len(group.phrases)

    scores: dict[int, float] = {}
    average = postings.average_length
    for pid, by_phrase in freqs.items():
        length = float(postings.lengths[pid]) if pid < postings.lengths.shape[0] else 0.0
        norm = K1 * (1 - B + B * length / average) if average else K1
        total = 0.0
        for k in range(len(phrases)):
            tf = by_phrase.get(k, 0)
            total += idfs[k] * ((tf * (K1 + 1)) / (tf + norm))
        scores[pid] = total
    return scores


def _starts_in(
    phrase: tuple[str, ...], ids: np.ndarray, positions: Callable[[str, np.ndarray], dict[int, list[int]]]
) -> dict[int, list[int]]:
    per_token = [positions(t, ids) for t in phrase]
    if len(phrase) == 1:
        return per_token[0]
    found = {}
    for pid in ids.tolist():
        starts = phrase_starts([p.get(pid, []) for p in per_token])
        if starts:
            found[pid] = starts
    return found


SHIFT = 32
"""A position key is ``passage id << SHIFT | token offset``: one sorted int64 array per word."""


@dataclass
class Positions:
    """Every word's positions in every passage, as sorted keys (see :data:`SHIFT`)."""

    key: str
    terms: dict[str, int]
    offsets: np.ndarray  # word i's keys are keys[offsets[i]:offsets[i + 1]]
    keys: np.ndarray

    @classmethod
    def build(cls, key: str, rows: Iterable[tuple[str, Sequence[int]]]) -> Positions:
        """From ``(word, its position keys)`` rows, one per word."""
        terms: dict[str, int] = {}
        parts: list[np.ndarray] = []
        for term, keys in rows:
            terms[term] = len(parts)
            parts.append(np.sort(np.asarray(keys, dtype=np.int64)))
        sizes = np.fromiter((p.shape[0] for p in parts), dtype=np.int64, count=len(parts))
        offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        keys = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
        return cls(key, terms, offsets, keys)

    def of(self, term: str) -> np.ndarray:
        """The sorted position keys of ``term`` (empty when no passage has it)."""
        i = self.terms.get(term)
        if i is None:
            return np.zeros(0, dtype=np.int64)
        return self.keys[int(self.offsets[i]) : int(self.offsets[i + 1])]

    def positions_of(self, token: str, ids: np.ndarray) -> dict[int, list[int]]:
        """``{passage id: sorted positions}`` of ``token`` in the passages ``ids``."""
        keys = self.of(token)
        keys = keys[np.isin(keys >> SHIFT, ids)]
        found: dict[int, list[int]] = {}
        for pid, pos in zip((keys >> SHIFT).tolist(), (keys & ((1 << SHIFT) - 1)).tolist(), strict=True):
            found.setdefault(pid, []).append(pos)
        return found

    def save(self, path: Path) -> None:
        """Write to ``path`` atomically."""
        save_keyed(path, self.key, self.terms, offsets=self.offsets, keys=self.keys)

    @classmethod
    def load(cls, path: Path, key: str) -> Positions | None:
        """The positions saved at ``path`` for ``key``, else None."""
        found = load_keyed(path, key, ("offsets", "keys"))
        if found is None:
            return None
        terms, arrays = found
        return cls(key, terms, arrays["offsets"], arrays["keys"])


def _is_simple(group: Group) -> bool:
    """A plain phrase, or NEAR of two single words: the shapes :func:`vector_scores` handles."""
    if group.near is None or len(group.phrases) == 1:
        return True
    return len(group.phrases) == 2 and all(len(p) == 1 for p in group.phrases)


def _phrase_starts(phrase: tuple[str, ...], positions: Positions) -> np.ndarray:
    """Sorted keys where ``phrase`` starts (its first word's keys followed by the others)."""
    starts = positions.of(phrase[0])
    for j, token in enumerate(phrase[1:], start=1):
        following = positions.of(token)
        if not starts.shape[0] or not following.shape[0]:
            return np.zeros(0, dtype=np.int64)
        wanted = starts + j
        at = np.minimum(np.searchsorted(following, wanted), following.shape[0] - 1)
        starts = starts[following[at] == wanted]
    return starts


def _partnered(keys: np.ndarray, others: np.ndarray, reach: int) -> np.ndarray:
    """The keys with a key of ``others`` at most ``reach`` away (in the same passage: keys of
    two passages differ by far more than a passage's length)."""
    if not keys.shape[0] or not others.shape[0]:
        return np.zeros(0, dtype=np.int64)
    at = np.searchsorted(others, keys)
    after = others[np.minimum(at, others.shape[0] - 1)]
    before = others[np.maximum(at - 1, 0)]
    near = (np.abs(after - keys) <= reach) | (np.abs(keys - before) <= reach)
    return keys[near]


def vector_scores(groups: list[Group], postings: Postings, positions: Positions) -> dict[int, float]:
    """``{passage id: -bm25()}`` of :func:`vector_score_arrays`."""
    ids, scores = vector_score_arrays(groups, postings, positions)
    return dict(zip(ids.tolist(), scores.tolist(), strict=True))


def vector_score_arrays(
    groups: list[Group], postings: Postings, positions: Positions
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`expression_scores` computed with numpy over in-memory :class:`Positions` (the
    same numbers: FTS5's ``-bm25()``), for the shapes :mod:`search.keyword` builds (phrases, and
    NEAR of two words); other NEAR groups go through :func:`expression_scores`, whose scores
    were seen to drift from FTS5's by ~1e-6 when such a group is ORed with a common word."""
    phrases = [p for g in groups for p in g.phrases]
    if not phrases:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    if not all(_is_simple(g) for g in groups):
        found = expression_scores(groups, postings, positions.positions_of)
        ids = np.fromiter(found, dtype=np.int64, count=len(found))
        return ids, np.fromiter(found.values(), dtype=np.float64, count=len(found))

    def counted(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Passages and instances per passage of sorted position keys (runs of one passage)."""
        pids = keys >> SHIFT
        if not pids.shape[0]:
            return pids, pids
        first = np.flatnonzero(np.concatenate([[True], pids[1:] != pids[:-1]]))
        return pids[first], np.diff(np.append(first, pids.shape[0]))

    def word(token: str) -> tuple[np.ndarray, np.ndarray]:
        i = postings.terms.get(token)
        if i is None:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        lo, hi = int(postings.offsets[i]), int(postings.offsets[i + 1])
        return postings.docs[lo:hi], postings.freqs[lo:hi].astype(np.int64)

    found: dict[tuple[str, ...], tuple[np.ndarray, np.ndarray]] = {}

    def phrase_hits(phrase: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
        if phrase not in found:
            found[phrase] = (
                word(phrase[0]) if len(phrase) == 1 else counted(_phrase_starts(phrase, positions))
            )
        return found[phrase]

    # each phrase's IDF counts the passages holding it alone
    idfs = [_idf(int(phrase_hits(phrase)[0].shape[0]), postings.rows) for phrase in phrases]
    parts: list[tuple[np.ndarray, np.ndarray]] = []  # per phrase: (passages, instances)
    for group in groups:
        if group.near is None or len(group.phrases) == 1:
            parts.append(phrase_hits(group.phrases[0]))
        else:
            a, b = positions.of(group.phrases[0][0]), positions.of(group.phrases[1][0])
            reach = group.near + 1
            parts.append(counted(_partnered(a, b, reach)))
            parts.append(counted(_partnered(b, a, reach)))
    size = max([postings.lengths.shape[0]] + [int(p[0][-1]) + 1 for p in parts if p[0].shape[0]])
    lengths = np.zeros(size, dtype=np.float64)
    lengths[: postings.lengths.shape[0]] = postings.lengths
    average = postings.average_length
    total = np.zeros(size, dtype=np.float64)  # dense by passage id, as Postings.top scores
    hit = np.zeros(size, dtype=bool)
    for idf, (ids, tf) in zip(idfs, parts, strict=True):  # in phrase order, as FTS5 sums them
        if ids.shape[0]:
            norm = K1 * (1 - B + B * lengths[ids] / average) if average else K1
            f = tf.astype(np.float64)
            total[ids] += idf * ((f * (K1 + 1)) / (f + norm))
            hit[ids] = True
    matched = np.flatnonzero(hit).astype(np.int64)
    return matched, total[matched]


class Tokenizer:
    """Texts cut into FTS5 index tokens with their positions, by an in-memory FTS5 table with
    the keyword index's tokenizer (so the server's postings are the SQLite index's postings)."""

    def __init__(self, tokenize: str) -> None:
        self._conn = sqlite3.connect(":memory:", check_same_thread=False)
        self._conn.execute(f"CREATE VIRTUAL TABLE words USING fts5(body, tokenize = {tokenize!r})")
        self._conn.execute("CREATE VIRTUAL TABLE tokens USING fts5vocab(words, instance)")
        self._lock = threading.Lock()
        self._cache: dict[str, list[str]] = {}

    def postings(self, texts: Sequence[str]) -> list[tuple[dict[str, list[int]], int]]:
        """Per text: ``{token: sorted positions}`` and its number of tokens."""
        out: list[tuple[dict[str, list[int]], int]] = [({}, 0) for _ in texts]
        if not texts:
            return out
        with self._lock, self._conn:
            self._conn.executemany(
                "INSERT INTO words(rowid, body) VALUES(?, ?)", [(i + 1, t) for i, t in enumerate(texts)]
            )
            counts = [0] * len(texts)
            for term, doc, offset in self._conn.execute("SELECT term, doc, offset FROM tokens"):
                out[doc - 1][0].setdefault(term, []).append(offset)
                counts[doc - 1] += 1
            self._conn.execute("DELETE FROM words")
        for i, (terms, _) in enumerate(out):
            for positions in terms.values():
                positions.sort()
            out[i] = (terms, counts[i])
        return out

    def tokens(self, text: str) -> list[str]:
        """The index tokens of ``text`` in order (a query phrase's words, stemmed)."""
        found = self._cache.get(text)
        if found is None:
            ((terms, _),) = self.postings([text])
            found = [t for _, t in sorted((p, t) for t, ps in terms.items() for p in ps)]
            if len(self._cache) < 100_000:
                self._cache[text] = found
        return found


PG_KEYWORD_SCHEMA = """
CREATE TABLE IF NOT EXISTS keyword_terms(term TEXT NOT NULL, passage_id BIGINT NOT NULL,
    positions INTEGER[] NOT NULL, PRIMARY KEY(term, passage_id));
CREATE INDEX IF NOT EXISTS keyword_terms_passage ON keyword_terms(passage_id);
CREATE TABLE IF NOT EXISTS keyword_docs(id BIGINT PRIMARY KEY, length INTEGER NOT NULL)
"""
"""The keyword index's tables on PostgreSQL (positions are FTS5 token offsets)."""


class PgKeywords:
    """The keyword index of passages on a PostgreSQL :class:`~councilkg.database.Database`."""

    def __init__(self, db: object, tokenize: str) -> None:
        self.db = db
        self.tokenizer = Tokenizer(tokenize)
        self._lock = threading.Lock()
        self._positions: Positions | None = None

    def add(self, rows: Sequence[tuple[int, str]]) -> None:
        """Index ``(passage id, ranking text)`` rows (inside the caller's transaction)."""
        if not rows:
            return
        cut = self.tokenizer.postings([text for _, text in rows])
        raw = self.db.raw  # type: ignore[attr-defined]
        with raw.cursor() as cursor:
            with cursor.copy("COPY keyword_terms(term, passage_id, positions) FROM STDIN") as copy:
                for (pid, _), (terms, _) in zip(rows, cut, strict=True):
                    for term, positions in terms.items():
                        copy.write_row((term, pid, positions))
            with cursor.copy("COPY keyword_docs(id, length) FROM STDIN") as copy:
                for (pid, _), (_, length) in zip(rows, cut, strict=True):
                    copy.write_row((pid, length))

    def delete_paper(self, doc_id: str) -> None:
        """Drop a paper's passages from the keyword index (before its passages are deleted)."""
        self.db.execute(  # type: ignore[attr-defined]
            "DELETE FROM keyword_terms WHERE passage_id IN (SELECT id FROM passages WHERE doc_id = ?)",
            (doc_id,),
        )
        self.db.execute(  # type: ignore[attr-defined]
            "DELETE FROM keyword_docs WHERE id IN (SELECT id FROM passages WHERE doc_id = ?)", (doc_id,)
        )

    def read_postings(self, key: str) -> Postings:
        """Every word's (passage, frequency) list and every passage's length, as on SQLite."""
        raw = self.db.raw  # type: ignore[attr-defined]
        with raw.cursor(binary=True) as cursor:
            cursor.execute("SELECT id, length FROM keyword_docs ORDER BY id")
            docs = cursor.fetchall()
            cursor.execute(
                "SELECT term, array_agg(passage_id ORDER BY passage_id), "
                "array_agg(cardinality(positions) ORDER BY passage_id) FROM keyword_terms GROUP BY term "
                'ORDER BY term COLLATE "C"'
            )
            by_term = cursor.fetchall()
        if not docs or not by_term:
            empty = np.zeros(0, dtype=np.int64)
            return Postings(key, {}, np.zeros(1, np.int64), empty, empty.astype(np.int32), empty, 0, 0.0)
        ids = np.fromiter((d[0] for d in docs), dtype=np.int64, count=len(docs))
        lengths = np.zeros(int(ids.max()) + 1, dtype=np.int32)
        lengths[ids] = np.fromiter((d[1] for d in docs), dtype=np.int32, count=len(docs))
        terms = {term: i for i, (term, _, _) in enumerate(by_term)}
        sizes = np.fromiter((len(r[1]) for r in by_term), dtype=np.int64, count=len(by_term))
        offsets = np.concatenate([[0], np.cumsum(sizes)])
        doc_ids = np.fromiter((d for r in by_term for d in r[1]), dtype=np.int64, count=int(offsets[-1]))
        freqs = np.fromiter((f for r in by_term for f in r[2]), dtype=np.int32, count=int(offsets[-1]))
        rows = len(docs)
        return Postings(key, terms, offsets, doc_ids, freqs, lengths, rows, float(lengths.sum()) / rows)

    def read_positions(self, key: str) -> Positions:
        """Every word's position keys, read from the server."""
        raw = self.db.raw  # type: ignore[attr-defined]
        with raw.cursor(binary=True) as cursor:
            cursor.execute(
                "SELECT term, array_agg((passage_id << 32) | CAST(pos AS bigint)) "
                "FROM keyword_terms, unnest(positions) AS pos GROUP BY term"
            )
            return Positions.build(key, cursor.fetchall())

    def positions(self, key: str, cache: Path | None = None) -> Positions:
        """The positions for keyword generation ``key``: kept in memory, saved beside the
        index in ``cache`` (read from there after a restart), else read from the server."""
        with self._lock:
            if self._positions is not None and self._positions.key == key:
                return self._positions
            found = Positions.load(cache, key) if cache is not None else None
            if found is None:
                found = self.read_positions(key)
                if cache is not None:
                    with contextlib.suppress(OSError):  # read-only folder: it reads them again
                        found.save(cache)
            self._positions = found
            return found

    def bm25(
        self, expression: str, postings: Postings, cache: Path | None = None, limit: int | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Passage ids matching ``expression`` and their ``-bm25()``, best first (ties by id,
        as FTS5's ``ORDER BY rank`` returns them); only the best ``limit`` when given."""
        groups = parse_expression(expression, self.tokenizer.tokens)
        ids, scores = vector_score_arrays(groups, postings, self.positions(postings.key, cache))
        if limit is not None and ids.shape[0] > limit:
            if limit <= 0:
                return ids[:0], scores[:0]
            cut = np.partition(scores, ids.shape[0] - limit)[ids.shape[0] - limit]
            keep = scores >= cut  # the best ``limit`` and every tie with the last of them
            ids, scores = ids[keep], scores[keep]
        order = np.lexsort((ids, -scores))
        if limit is not None:
            order = order[:limit]
        return ids[order], scores[order]


__all__ = [
    "PG_KEYWORD_SCHEMA",
    "Group",
    "PgKeywords",
    "Positions",
    "Tokenizer",
    "expression_scores",
    "near_instances",
    "vector_score_arrays",
    "vector_scores",
]
