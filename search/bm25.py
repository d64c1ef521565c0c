"""BM25 of single words scored in numpy over postings read out of the FTS5 index.

FTS5 ranks ``ORDER BY rank`` by computing ``bm25()`` for every row that matches, through its
auxiliary-function API: a query of common words over 100,000 passages costs it 100 ms or more.
BM25 is a sum over the query's phrases, each part depending only on the phrase's frequency in
the row, the number of rows holding it and the row's length, so the single-word part can be
scored term at a time from postings instead (as bm25s and search engines do) — in about a
millisecond — and the result is FTS5's own score: same tokenizer (the words are read out of
the FTS5 index through ``fts5vocab``, and query words are stemmed by an FTS5 table with the
same tokenizer), same constants, same IDF rule.

The postings are rebuilt when the keyword index changes and kept beside it in a ``.npz`` file
keyed by the index's keyword generation, so a server restarted on an unchanged index loads
them instead of reading the FTS5 index again.
"""

from __future__ import annotations

import math
import sqlite3
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

K1 = 1.2
B = 0.75
"""FTS5's ``bm25()`` constants."""

_FETCH = 65_536


@dataclass
class Postings:
    """Per-word (passage id, frequency) lists of the FTS5 index, with passage lengths."""

    key: str
    terms: dict[str, int]
    offsets: np.ndarray  # term i's postings are [offsets[i], offsets[i + 1])
    docs: np.ndarray  # passage ids (FTS5 rowids), ascending within a term
    freqs: np.ndarray  # occurrences of the term in that passage
    lengths: np.ndarray  # tokens per passage, indexed by rowid
    rows: int  # passages in the index
    average_length: float

    @classmethod
    def read(cls, conn: sqlite3.Connection, table: str, key: str) -> Postings:
        """Read every (word, passage) occurrence of FTS5 ``table`` through ``fts5vocab``."""
        vocab = f"temp.{table}_instances"
        conn.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS {vocab} USING fts5vocab(main, {table}, instance)")
        terms: dict[str, int] = {}
        term_ids: list[np.ndarray] = []
        doc_ids: list[np.ndarray] = []
        cursor = conn.execute(f"SELECT term, doc FROM {vocab}")  # ordered by term, then doc
        while rows := cursor.fetchmany(_FETCH):
            words, docs = zip(*rows, strict=True)
            codes = (terms.setdefault(w, len(terms)) for w in words)
            term_ids.append(np.fromiter(codes, np.int64, len(rows)))
            doc_ids.append(np.asarray(docs, dtype=np.int64))
        if not terms:
            empty = np.zeros(0, dtype=np.int64)
            return cls(key, {}, np.zeros(1, np.int64), empty, empty.astype(np.int32), empty, 0, 0.0)
        t = np.concatenate(term_ids)
        d = np.concatenate(doc_ids)
        lengths = np.bincount(d).astype(np.int32)
        # one row per occurrence, sorted by (term, doc): runs of equal pairs are frequencies
        change = np.empty(t.shape[0], dtype=bool)
        change[0] = True
        change[1:] = (t[1:] != t[:-1]) | (d[1:] != d[:-1])
        starts = np.flatnonzero(change)
        freqs = np.diff(np.append(starts, t.shape[0])).astype(np.int32)
        pair_terms = t[starts]
        offsets = np.searchsorted(pair_terms, np.arange(len(terms) + 1))
        rows = int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
        average = float(lengths.sum()) / rows if rows else 0.0
        return cls(key, terms, offsets, d[starts], freqs, lengths, rows, average)

    def save(self, path: Path) -> None:
        """Write the postings to ``path`` (atomically: a reader never sees half a file)."""
        save_keyed(path, self.key, self.terms, offsets=self.offsets, docs=self.docs, freqs=self.freqs,
                   lengths=self.lengths, stats=np.array([self.rows, self.average_length]))

    @classmethod
    def load(cls, path: Path, key: str) -> Postings | None:
        """The postings saved at ``path`` if they were saved for ``key``, else ``None``."""
        found = load_keyed(path, key, ("offsets", "docs", "freqs", "lengths", "stats"))
        if found is None:
            return None
        terms, a = found
        rows, average = a["stats"].tolist()
        return cls(key, terms, a["offsets"], a["docs"], a["freqs"], a["lengths"], int(rows), float(average))

    def top(
        self,
        tokens: Iterable[str],
        n: int,
        allowed: np.ndarray | None = None,
        extra: Mapping[int, float] | None = None,
    ) -> dict[int, float]:
        """The ``n`` best passages by FTS5's ``-bm25()`` of the OR of ``tokens`` (already
        stemmed) plus ``extra`` scores (other phrases of the same OR), best first; only ids in
        sorted ``allowed`` when given."""
        total = np.full(self.lengths.shape[0], np.nan)
        for token in tokens:  # one term per phrase of the OR, as FTS5 counts them
            i = self.terms.get(token)
            if i is None:
                continue
            lo, hi = int(self.offsets[i]), int(self.offsets[i + 1])
            docs, freqs = self.docs[lo:hi], self.freqs[lo:hi]
            idf = math.log((self.rows - (hi - lo) + 0.5) / ((hi - lo) + 0.5))
            idf = idf if idf > 0 else 1e-6
            norm = K1 * (1 - B + B * self.lengths[docs] / self.average_length)
            _add(total, docs, idf * freqs * (K1 + 1) / (freqs + norm))
        if extra:
            ids = np.fromiter(extra, dtype=np.int64, count=len(extra))
            keep = ids < total.shape[0]
            _add(total, ids[keep], np.fromiter(extra.values(), dtype=np.float64, count=len(extra))[keep])
        hit = np.flatnonzero(~np.isnan(total))
        if allowed is not None:
            hit = hit[np.isin(hit, allowed, assume_unique=True)]
        if hit.shape[0] > n:
            hit = hit[np.argpartition(-total[hit], n - 1)[:n]]
        hit = hit[np.lexsort((hit, -total[hit]))]
        return dict(zip(hit.tolist(), total[hit].tolist(), strict=True))


def _add(total: np.ndarray, ids: np.ndarray, values: np.ndarray) -> None:
    """Add ``values`` at distinct ``ids`` of ``total``, where NaN means "not matched yet"."""
    current = total[ids]
    total[ids] = np.where(np.isnan(current), values, current + values)


class Stemmer:
    """Query words cut by the FTS5 tokenizer the keyword index uses (an in-memory table)."""

    def __init__(self, tokenize: str) -> None:
        self._conn = sqlite3.connect(":memory:", check_same_thread=False)
        self._conn.execute(f"CREATE VIRTUAL TABLE words USING fts5(body, tokenize = {tokenize!r})")
        self._conn.execute("CREATE VIRTUAL TABLE tokens USING fts5vocab(words, instance)")
        self._lock = threading.Lock()
        self._cache: dict[str, list[str]] = {}

    def tokens(self, word: str) -> list[str]:
        """The index tokens ``word`` becomes (usually one: its Porter stem)."""
        found = self._cache.get(word)
        if found is not None:
            return found
        with self._lock, self._conn:
            self._conn.execute("INSERT INTO words(rowid, body) VALUES(1, ?)", (word,))
            found = [r[0] for r in self._conn.execute("SELECT term FROM tokens ORDER BY offset")]
            self._conn.execute("DELETE FROM words")
        if len(self._cache) < 100_000:
            self._cache[word] = found
        return found


def save_keyed(path: Path, key: str, terms: dict[str, int], **arrays: np.ndarray) -> None:
    """Write ``arrays`` and the vocabulary ``terms`` (word -> row) to ``path`` under ``key``,
    atomically (a reader never sees half a file)."""
    words = sorted(terms, key=terms.__getitem__)
    tmp = path.with_suffix(".tmp.npz")
    np.savez(tmp, key=np.array(key), words=np.array(words, dtype=str), **arrays)
    tmp.replace(path)


def load_keyed(
    path: Path, key: str, names: tuple[str, ...]
) -> tuple[dict[str, int], dict[str, np.ndarray]] | None:
    """The vocabulary and the arrays ``names`` saved at ``path`` by :func:`save_keyed`, when they
    were saved for ``key``; None for another key, a missing or a damaged file."""
    try:
        with np.load(path, allow_pickle=False) as data:
            if str(data["key"]) != key:
                return None
            words = data["words"].tolist()
            return {w: i for i, w in enumerate(words)}, {n: data[n] for n in names}
    except (OSError, KeyError, ValueError):
        return None
