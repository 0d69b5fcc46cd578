"""Retrieval baselines for the report: BM25 only, dense only, and naive fixed-size chunks.

Each returns a ranked list of (doc_id, clause) for a question, so cite@k and MRR compare directly
with the assistant's citations.
"""
from __future__ import annotations

import hashlib
import re
from functools import cached_property
from pathlib import Path

import numpy as np

from rag.retrieve import Retriever

NAIVE_CHUNK = 1000
NAIVE_TOP = 4


def _norm(s: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[*_\[\]()#]", "", s)).strip().lower()


class Baselines:
    def __init__(self, retriever: Retriever, corpus_dir: Path, cache_dir: Path):
        self.r = retriever
        self.corpus_dir = corpus_dir
        self.cache_dir = cache_dir

    @cached_property
    def _bm25_plain(self):
        import bm25s

        keys = list(self.r.by_key)
        texts = [" ".join(p.text for p in self.r.by_key[k]) for k in keys]
        ret = bm25s.BM25()
        ret.index(bm25s.tokenize(texts, stopwords="en", show_progress=False), show_progress=False)
        return keys, ret

    def bm25_only(self, question: str, k: int = 10) -> list[tuple[str, str]]:
        import bm25s

        keys, ret = self._bm25_plain
        tokens = bm25s.tokenize([question], stopwords="en", show_progress=False)
        if not tokens.ids or not tokens.ids[0]:
            return []
        docs, scores = ret.retrieve(tokens, k=k, show_progress=False)
        return [tuple(keys[int(i)].split("#", 1)) for i, s in zip(docs[0], scores[0]) if s > 0]

    @cached_property
    def _clauses_store(self):
        return self.r.index.vectorstore("clauses")

    def dense_only(self, question: str, vector: list[float], k: int = 10) -> list[tuple[str, str]]:
        clauses_vs = self._clauses_store
        out: list[tuple[str, str]] = []
        for doc, _ in clauses_vs.similarity_search_by_vector_with_relevance_scores(vector, k=k * 2):
            key = (doc.metadata["doc_id"], doc.metadata["clause"])
            if key not in out:
                out.append(key)
        return out[:k]

    @cached_property
    def _naive(self):
        """The naive build: each document's raw text cut into 1000-character chunks."""
        from ingest.loaders import load  # the raw text, before any clause parsing

        chunks: list[tuple[str, str]] = []
        for doc in self.r.index.documents.values():
            if not doc.held:
                continue
            loaded = load(self.corpus_dir / doc.file)
            raw = "\n".join("\n".join(p.lines) for p in loaded.pages)
            for i in range(0, len(raw), NAIVE_CHUNK):
                chunks.append((doc.id, raw[i : i + NAIVE_CHUNK]))
        texts = [c for _, c in chunks]
        digest = hashlib.sha256("\x1f".join(texts).encode()).hexdigest()[:16]
        cache = self.cache_dir / f"naive-{digest}.npy"
        if cache.is_file():
            vecs = np.load(cache)
        else:
            from rag.embeddings import get_embeddings

            vecs = np.array(get_embeddings().embed_documents(texts))
            cache.parent.mkdir(parents=True, exist_ok=True)
            np.save(cache, vecs)
        # Which clauses each chunk holds: a clause counts when its opening words are in the chunk.
        heads = {k: _norm(parts[0].text)[:60] for k, parts in self.r.by_key.items()}
        holds = []
        for doc_id, text in chunks:
            t = _norm(text)
            holds.append([tuple(k.split("#", 1)) for k, h in heads.items() if k.startswith(doc_id + "#") and h and h in t])
        return vecs, holds

    def naive_chunks(self, vector: list[float], k: int = 10) -> list[tuple[str, str]]:
        vecs, holds = self._naive
        top = np.argsort(-(vecs @ np.array(vector)))[:NAIVE_TOP]
        out: list[tuple[str, str]] = []
        for i in top:
            for key in holds[int(i)]:
                if key not in out:
                    out.append(key)
        return out[:k]
