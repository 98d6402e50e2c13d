"""Vector memory: query latency, HNSW recall against exact search, ingestion and embedding speed.

    .venv/bin/python bench/bench_memory.py [--sizes 10000 100000] [--queries 300]

Chroma runs embedded (``PersistentClient`` in a temporary data dir), through the
same ``VectorStore`` and collection settings the runtime uses (cosine space,
``HNSW`` in ``agent_runtime/memory/_chroma.py``). Two sets of vectors, 384
dimensions like all-MiniLM-L6-v2:

- ``clustered``: noisy copies of real all-MiniLM-L6-v2 embeddings of 400 short
  policy passages (the shape real chunk embeddings have: topics, near duplicates);
- ``random``: uniform unit vectors, the hardest case for any approximate index.

Figures, per size and set:

- query latency p50/p99 of ``collection.query`` for the 10 nearest, excluding
  embedding the query (target: p50 under 10 ms at 100k), and of the same query with
  a metadata filter (one thread's 50 items), as conversation memory asks: Chroma's
  filtered HNSW search (the baseline) against ``VectorStore.query``'s filtered path
  (exact ranking of the matching items, up to ``EXACT_LIMIT``);
- exact search (NumPy, the whole matrix) latency, and recall@10 of Chroma's HNSW
  against it on the same vectors (target: >= 0.95);
- ingestion throughput in chunks per second (precomputed vectors into Chroma);

and, once: embedding throughput on CPU (800-character chunks, batches of 32), the
latency of embedding one query, and end-to-end knowledge-base ingestion (extract,
chunk, embed, store) in chunks per second.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from agent_runtime.memory import KnowledgeBases, LocalEmbedder, VectorStore
from agent_runtime.memory._chroma import HNSW
from agent_runtime.settings import Settings

DIM = 384
BATCH = 5_000
K = 10
TOPICS = [
    "annual leave", "travel expenses", "password rules", "office hours", "onboarding",
    "health insurance", "code of conduct", "IT support", "parental leave", "parking",
    "security incidents", "salary and pension", "remote work", "training budget",
    "visitors and badges", "hardware orders", "gifts and invitations", "sick days",
    "meeting rooms", "backups",
]  # fmt: skip
FACETS = [
    "who approves it", "how many days", "the deadline", "the maximum amount", "what to do first",
    "exceptions", "the form to use", "who to contact", "what is forbidden", "for part-time staff",
    "during probation", "abroad", "in an emergency", "for managers", "how to appeal",
    "how often", "the cost", "the notice period", "on weekends", "for contractors",
]  # fmt: skip


def _passages() -> list[str]:
    return [
        f"Policy on {t}: {f}. Employees should read the section about {t} and check {f} "
        f"with their manager before acting."
        for t in TOPICS
        for f in FACETS
    ]


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _unit(m: np.ndarray) -> np.ndarray:
    return (m / np.linalg.norm(m, axis=1, keepdims=True)).astype(np.float32)


def vector_sets(embedder: LocalEmbedder, n: int, queries: int, rng: np.random.Generator):
    """(name, corpus [n x 384], queries [q x 384]) for the clustered and random sets."""
    base = np.asarray(embedder.embed(_passages()), dtype=np.float32)

    def noisy(count: int, scale: float) -> np.ndarray:
        picks = base[rng.integers(0, len(base), count)]
        return _unit(picks + rng.normal(0, scale / np.sqrt(DIM), (count, DIM)))

    yield "clustered", noisy(n, 0.6), noisy(queries, 0.6)
    yield "random", _unit(rng.normal(size=(n, DIM))), _unit(rng.normal(size=(queries, DIM)))


def bench_index(
    store: VectorStore, name: str, corpus: np.ndarray, queries: np.ndarray
) -> dict[str, float]:
    n = len(corpus)
    collection = store.collection(f"bench-{name}-{n}", "memory", create=True)
    threads = max(1, n // 50)  # conversation threads of 50 items each
    started = time.perf_counter()
    for start in range(0, n, BATCH):
        end = min(n, start + BATCH)
        collection.add(
            ids=[f"i{i}" for i in range(start, end)],
            embeddings=corpus[start:end],
            documents=[f"chunk {i}" for i in range(start, end)],
            metadatas=[{"thread_id": f"t{i % threads}"} for i in range(start, end)],
        )
    ingest = n / (time.perf_counter() - started)

    collection.query(query_embeddings=[queries[0].tolist()], n_results=K)  # load the index
    latencies, filtered, ours, recalls, exact_times = [], [], [], [], []
    for i, q in enumerate(queries):
        vector = [q.tolist()]
        t0 = time.perf_counter()
        found = collection.query(query_embeddings=vector, n_results=K, include=["distances"])
        latencies.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        collection.query(
            query_embeddings=vector, n_results=K, where={"thread_id": f"t{i % threads}"},
            include=["distances"],
        )  # fmt: skip
        filtered.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        where = {"thread_id": {"$eq": f"t{i % threads}"}}
        assert store.query_exact(collection, q, top_k=K, where=where) is not None
        ours.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        scores = corpus @ q
        exact = np.argpartition(-scores, K)[:K]
        exact_times.append(time.perf_counter() - t0)
        got = {int(x[1:]) for x in found["ids"][0]}
        recalls.append(len(got & {int(x) for x in exact}) / K)
    store.drop(f"bench-{name}-{n}", "memory")
    return {
        "p50": _percentile(latencies, 0.5) * 1e3,
        "p99": _percentile(latencies, 0.99) * 1e3,
        "filtered_p50": _percentile(filtered, 0.5) * 1e3,
        "filtered_p99": _percentile(filtered, 0.99) * 1e3,
        "ours_p50": _percentile(ours, 0.5) * 1e3,
        "ours_p99": _percentile(ours, 0.99) * 1e3,
        "exact_p50": _percentile(exact_times, 0.5) * 1e3,
        "recall": statistics.fmean(recalls),
        "recall_min": min(recalls),
        "ingest": ingest,
    }


def bench_embedding(embedder: LocalEmbedder, settings: Settings) -> dict[str, float]:
    rng = random.Random(7)
    words = " ".join(_passages()).split()
    chunks = [" ".join(rng.choices(words, k=130))[:800] for _ in range(256)]
    started = time.perf_counter()
    embedder.embed(chunks)
    per_second = len(chunks) / (time.perf_counter() - started)
    one = []
    for question in [f"What is the rule on {t}?" for t in TOPICS]:
        t0 = time.perf_counter()
        embedder.embed([question])
        one.append(time.perf_counter() - t0)

    kb = KnowledgeBases(settings, embedder=embedder)
    document = "\n\n".join(" ".join(rng.choices(words, k=70)) + "." for _ in range(300))
    started = time.perf_counter()
    info = kb.add_document("bench", "kb", "bench.txt", document.encode())
    end_to_end = info.chunks / (time.perf_counter() - started)
    kb.close()
    return {
        "embed_per_s": per_second,
        "query_embed_p50": _percentile(one, 0.5) * 1e3,
        "kb_chunks": info.chunks,
        "kb_per_s": end_to_end,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--queries", type=int, default=300)
    args = parser.parse_args()
    rng = np.random.default_rng(42)
    embedder = LocalEmbedder()
    t0 = time.perf_counter()
    embedder.embed(["load"])
    print(f"model load: {time.perf_counter() - t0:.1f} s; HNSW settings: {HNSW}")

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(_env_file=None, data_dir=Path(tmp))
        store = VectorStore(settings, embedder)
        print(
            f"{'set':<10} {'chunks':>7} {'p50 ms':>7} {'p99 ms':>7} {'filt p50':>8} "
            f"{'filt p99':>8} {'ours p50':>8} {'ours p99':>8} {'exact p50':>9} {'recall@10':>9} "
            f"{'min':>5} {'ingest/s':>9}"
        )
        for n in args.sizes:
            for name, corpus, queries in vector_sets(embedder, n, args.queries, rng):
                r = bench_index(store, name, corpus, queries)
                print(
                    f"{name:<10} {n:>7} {r['p50']:>7.2f} {r['p99']:>7.2f} "
                    f"{r['filtered_p50']:>8.2f} {r['filtered_p99']:>8.2f} {r['ours_p50']:>8.2f} "
                    f"{r['ours_p99']:>8.2f} {r['exact_p50']:>9.2f} "
                    f"{r['recall']:>9.3f} {r['recall_min']:>5.1f} {r['ingest']:>9.0f}",
                    flush=True,
                )
        store.close()
        e = bench_embedding(embedder, settings)
    print(
        f"embedding on CPU: {e['embed_per_s']:.0f} chunks/s (800 chars, batches of 32); "
        f"one query: {e['query_embed_p50']:.1f} ms p50; knowledge-base ingestion end to end "
        f"(extract, chunk, embed, store): {e['kb_per_s']:.0f} chunks/s over {e['kb_chunks']} chunks"
    )


if __name__ == "__main__":
    main()
