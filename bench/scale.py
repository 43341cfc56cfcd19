"""End to end at scale: a seeded customer/product graph of 100k, 1M or 10M edges, five asks.

    python bench/scale.py [--edges 100000 1000000] [--data /tmp/scale] [--seed 0] [--keep]

For each size: writes ``customers``, ``products``, ``purchased`` and ``referred`` as JSON Lines
(power-law degrees, seeded) under ``--data`` (reused when already there), then runs the workflow
with no LLM on the local engine with five asks (influence, communities, rings, cycles, brokers) in
a fresh child process, and prints one JSON row per size: ``wall_s``, ``peak_rss_mb``, per-phase
times (``parse``, ``build``, one per algorithm, ``write``, ``facts``, ``report``), the workflow's
own analysis timings, and ``polars_parse_s`` (polars reading the same files) with the ratio.
Never commit the generated data.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ASKS = """\
Influence: find the most influential customers and products, the ones everything flows to.
Communities: group customers into communities of people who buy and refer together.
Rings: find rings of accounts that are connected to each other, isolated from the rest.
Cycles: find referral cycles, where customers refer each other around a closed loop.
Brokers: find the brokers and bottlenecks that connect otherwise separate parts of the network.
"""
SEGMENTS = ("gold", "silver", "bronze", "new")
CATEGORIES = ("books", "music", "garden", "tools", "toys", "food", "sports", "health")


def _skewed(rng: np.random.Generator, n: int, size: int, exponent: float = 0.7) -> np.ndarray:
    """Indices in [0, n) drawn with weight (rank + 1) ** -exponent, ranks shuffled: power-law degrees."""
    weights = (np.arange(n) + 1.0) ** -exponent
    cdf = np.cumsum(weights)
    cdf /= cdf[-1]
    ranks = np.minimum(np.searchsorted(cdf, rng.random(size)), n - 1)
    return rng.permutation(n)[ranks]


def _write(path: Path, lines: Any) -> None:
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        fh.writelines(lines)
    tmp.replace(path)


def generate(root: Path, edges: int, seed: int = 0) -> Path:
    """The graph with ``edges`` edges under ``root/<edges>`` (kept: generated once per size and seed)."""
    out = root / f"e{edges}-s{seed}"
    if (out / "referred.jsonl").exists():
        return out
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    customers, products = max(10, edges // 10), max(5, edges // 50)
    purchased = edges * 4 // 5
    referred = edges - purchased
    seg = rng.integers(0, len(SEGMENTS), customers)
    age = rng.integers(18, 90, customers)
    _write(out / "customers.jsonl", (
        f'{{"_key":"c{i}","name":"Customer {i}","segment":"{SEGMENTS[s]}","age":{a}}}\n'
        for i, s, a in zip(range(customers), seg.tolist(), age.tolist())))
    cat = rng.integers(0, len(CATEGORIES), products)
    price = np.round(rng.gamma(2.0, 15.0, products), 2)
    _write(out / "products.jsonl", (
        f'{{"_key":"p{i}","title":"Product {i}","category":"{CATEGORIES[c]}","price":{p}}}\n'
        for i, c, p in zip(range(products), cat.tolist(), price.tolist())))
    src, dst = _skewed(rng, customers, purchased), _skewed(rng, products, purchased, 0.9)
    qty = rng.integers(1, 5, purchased)
    _write(out / "purchased.jsonl", (
        f'{{"_from":"customers/c{s}","_to":"products/p{t}","quantity":{q}}}\n'
        for s, t, q in zip(src.tolist(), dst.tolist(), qty.tolist())))
    src, dst = _skewed(rng, customers, referred), _skewed(rng, customers, referred)
    keep = src != dst
    _write(out / "referred.jsonl", (
        f'{{"_from":"customers/c{s}","_to":"customers/c{t}"}}\n'
        for s, t in zip(src[keep].tolist(), dst[keep].tolist())))
    return out
