"""Percentile and probability tables from Monte Carlo draws (draws on axis 0).

:func:`percentile_table` is exact (``numpy.percentile``, linear interpolation) and needs every
draw in memory. :class:`PercentileAccumulator` is its streaming twin for runs too big for that:
340 municipalities × 10 years × 9 outcomes × 10,000 draws are 306 million values, 2.4 GB as
float64 (1.2 GB even as float32), over the 2 GB budget with the rest of the run.

**Streaming approach (and why).** Exact percentiles cannot be merged from chunk summaries, and
an exact one-pass quantile needs memory proportional to the draws. So each chunk is written in
one pass per outcome as float32 deviations from the cell's first draw, cell-major (one
contiguous row of draws per cell), sorted per cell (rows of a chunk's ~128 draws sort at about
1 ns a value here, far cheaper than one partition of 10,000) and **compressed**: runs of ``g``
consecutive order statistics are replaced by their mean, weighted ``g``. At the end the
weighted points of all chunks are merged per cell and each percentile is read off the weighted
empirical quantile function (a point sits at the centre of the ranks it stands for; linear
interpolation between points). ``g`` is the smallest power of two that fits ``max_bytes``
(default 512 MB), ``g ≥ draws × cells × 4 / max_bytes``: 4 for the case above (306 MB). Monte
Carlo chunks are multiples of 64 draws, so all points weigh the same and the merge is one sort
per cell. If the float64 draws themselves fit, ``g = 1`` and nothing is compressed or sorted:
the float64 deviations are kept and partitioned once at the end (``numpy.percentile``).

Error: within a chunk a point misplaces a rank by up to ``g/2``; chunks err independently, so
the rank error is about ``√chunks · g/√12`` draws. Measured on lognormal cells, 10,000 draws in
10 chunks: ``g = 8`` gives 7 draws rms (tests), against a Monte Carlo error of the percentile
itself of ``√(N·p(1−p))`` = 22 draws at p05 and 50 at p50. Larger chunks or a larger
``max_bytes`` shrink it. Means are exact (float64 sums of float64 deviations). Constant cells
stay exact (their deviations are 0), so a zero-variance run reproduces the deterministic one.
Percentiles come out ordered in both modes.

Memory: the stored points (at most ``max_bytes``) plus one cell-major copy of the chunk being
added (float32 when compressed: 16 MB for 30,600 cells × 128 draws) and one outcome's float64
deviations.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, TypeAlias, Union

import numpy as np
import pandas as pd

__all__ = [
    "COLUMNS",
    "PERCENTILES",
    "PercentileAccumulator",
    "ProbabilityAccumulator",
    "percentile_table",
    "probability_table",
]

PERCENTILES = (5, 10, 25, 50, 75, 90, 95)
#: Column name of each percentile: ``p05 p10 p25 p50 p75 p90 p95``.
COLUMNS = tuple(f"p{q:02d}" for q in PERCENTILES)

Labels: TypeAlias = pd.MultiIndex | Mapping[str, Sequence[Any]]


def _labels(index: Labels, cells: tuple[int, ...]) -> pd.DataFrame:
    """One row per cell (C order of the non-draw axes), one column per label."""
    if isinstance(index, pd.Index):
        if len(index) != math.prod(cells):
            raise ValueError(f"index has {len(index)} rows, values have {math.prod(cells)} cells")
        return index.to_frame(index=False)
    if len(index) != len(cells) or any(len(v) != n for v, n in zip(index.values(), cells)):
        raise ValueError(f"labels {[(k, len(v)) for k, v in index.items()]} do not match axes {cells}")
    if not cells:  # one scalar outcome
        return pd.DataFrame(index=[0])
    product = pd.MultiIndex.from_product([list(v) for v in index.values()], names=list(index))
    return product.to_frame(index=False)


def _table(labels: pd.DataFrame, quantiles: np.ndarray, mean: np.ndarray) -> pd.DataFrame:
    out = labels.copy()
    for name, row in zip(COLUMNS, quantiles.reshape(len(COLUMNS), -1)):
        out[name] = row
    out["media"] = mean.reshape(-1)
    return out


def _robust_mean(values: np.ndarray) -> np.ndarray:
    """Mean over axis 0, shifted by the first draw: exact for constant cells, and no
    cancellation on large quetzal amounts."""
    shift = values[0]
    return shift + (values - shift).mean(axis=0)


def percentile_table(values: np.ndarray, index: Labels) -> pd.DataFrame:
    """Long table: the label columns, ``p05 … p95`` and ``media`` per cell.

    ``values`` has draws on axis 0 and cells on the others; ``index`` labels the cells: a
    MultiIndex in C order, or ``{column: labels}`` per axis (e.g. ``{"municipio": codes,
    "anio": years, "concepto": concepts}``).
    """
    values = np.asarray(values, dtype=float)
    labels = _labels(index, values.shape[1:])
    return _table(labels, np.percentile(values, PERCENTILES, axis=0), _robust_mean(values))


def probability_table(condition: np.ndarray, labels: Labels, name: str = "probabilidad") -> pd.DataFrame:
    """Share of draws where ``condition`` (bool, draws on axis 0) holds, per cell."""
    condition = np.asarray(condition, dtype=bool)
    out = _labels(labels, condition.shape[1:])
    out[name] = condition.mean(axis=0).reshape(-1)
    return out


class ProbabilityAccumulator:
    """Streaming :func:`probability_table`: counts add up across chunks, so it is exact."""

    def __init__(self) -> None:
        self.hits: np.ndarray | None = None
        self.draws = 0

    def add(self, condition: Chunk, draws_axis: int = 0) -> None:
        """Fold in a chunk (a bool array, or a list of them: see :func:`_cell_views`)."""
        views = _cell_views(condition, draws_axis)
        parts = condition if isinstance(condition, (list, tuple)) else [condition]
        m = views[0].shape[-1]
        ones = np.ones(m, dtype=np.float32)
        # Counting as a product with a vector of ones (exact: float32 holds integers to 2**24) is
        # ~8× faster than a boolean reduction over a middle axis.
        counts = np.stack([np.matmul(ones, _draws_second_last(np.asarray(p, dtype=bool), draws_axis)
                                     .astype(np.float32)) for p in parts])
        counts = np.rint(counts).astype(np.int64).reshape(_cells(condition, views))
        self.hits = counts if self.hits is None else self.hits + counts
        self.draws += views[0].shape[-1]

    def table(self, labels: Labels, name: str = "probabilidad") -> pd.DataFrame:
        if self.hits is None:
            raise ValueError("no chunks added")
        out = _labels(labels, self.hits.shape)
        out[name] = (self.hits / self.draws).reshape(-1)
        return out


#: A chunk of draws: one array, or a list of arrays of equal shape stacked as the first cell axis.
Chunk = Union[np.ndarray, Sequence[np.ndarray]]


def _cell_views(chunk: Chunk, draws_axis: int) -> list[np.ndarray]:
    """Each part of ``chunk`` as a view with the cells first and the draws last (no copy)."""
    parts = list(chunk) if isinstance(chunk, (list, tuple)) else [chunk]
    views = [np.moveaxis(np.asarray(part), draws_axis, -1) for part in parts]
    if any(v.shape != views[0].shape for v in views):
        raise ValueError(f"parts of a chunk differ in shape: {[v.shape for v in views]}")
    return views


def _draws_second_last(part: np.ndarray, draws_axis: int) -> np.ndarray:
    """``part`` with its draws on the second-last axis (or alone), ready for ``ones @ part``."""
    return part if part.ndim == 1 else np.moveaxis(part, draws_axis, -2)


def _cells(chunk: Chunk, views: list[np.ndarray]) -> tuple[int, ...]:
    cells = views[0].shape[:-1]
    return (len(views), *cells) if isinstance(chunk, (list, tuple)) else cells


class PercentileAccumulator:
    """Streaming :func:`percentile_table` within ``max_bytes`` (see the module docstring).

    ``n_draws`` (the run's total) fixes the group size before the first chunk, so every chunk
    is compressed alike. Usage: ``acc.add(chunk)`` per chunk, then ``acc.table(index)``.
    Points are kept cell-major (one contiguous row of sorted points per cell): sorting along
    the contiguous axis is about twice as fast as along the draws axis of a draws-major chunk.
    """

    def __init__(self, n_draws: int, max_bytes: int = 512 * 2**20) -> None:
        self.n_draws = n_draws
        self.max_bytes = max_bytes
        self.group: int | None = None
        self.points: list[np.ndarray] = []  # (n_cells, k) per chunk, each row sorted
        self.weights: list[np.ndarray] = []  # (k,) per chunk
        self.cells: tuple[int, ...] | None = None
        self.shift: np.ndarray | None = None
        self.total: np.ndarray | None = None
        self.draws = 0

    def add(self, chunk: Chunk, draws_axis: int = 0) -> None:
        """Fold in a chunk of draws: an array with the draws on ``draws_axis`` and the cells on the
        other axes, or a list of such arrays (each part becomes one index of a new first cell
        axis), so a caller with one array per outcome needs no stacked copy."""
        views = _cell_views(chunk, draws_axis)
        cells = _cells(chunk, views)
        part_cells = math.prod(views[0].shape[:-1])
        m = views[0].shape[-1]
        if self.cells is None:
            self.cells = cells
            n_cells = max(1, math.prod(cells))
            exact_bytes = self.n_draws * n_cells * 8
            # Compressed points are float32 deviations: half the bytes of float64 values. A power
            # of two divides chunks of whole BLOCK_SIZE blocks evenly, so every point weighs the
            # same and the merge needs no per-cell bookkeeping of weights.
            need = math.ceil(exact_bytes / 2 / self.max_bytes)
            self.group = 1 if exact_bytes <= self.max_bytes else 1 << (need - 1).bit_length()
            self.shift = np.concatenate([np.asarray(v[..., 0], dtype=np.float64).reshape(-1) for v in views]) \
                if m else np.zeros(n_cells)
            self.total = np.zeros(n_cells)
        elif cells != self.cells:
            raise ValueError(f"chunk cells {cells} differ from {self.cells}")
        if m == 0:
            return
        self.draws += m
        g = self.group
        # One pass per part: deviations from the cell's first draw, written cell-major (one
        # contiguous row of draws per cell). A constant cell is exactly 0 (so its mean and
        # percentiles are exactly that draw), and float32 keeps ~7 digits of the spread, not of
        # the quetzal amount. The running sum for the mean is float64.
        rows = np.empty((max(1, math.prod(cells)), m), dtype=np.float64 if g == 1 else np.float32)
        deviations = np.empty(views[0].shape) if g > 1 else None  # float64 scratch, one part at a time
        for i, view in enumerate(views):
            block = slice(i * part_cells, (i + 1) * part_cells)
            shift = self.shift[block].reshape(view.shape[:-1] + (1,))
            target = rows[block].reshape(view.shape)
            np.subtract(view, shift, out=target if g == 1 else deviations)
            self.total[block] += (target if g == 1 else deviations).sum(axis=-1).reshape(-1)
            if g > 1:
                target[...] = deviations  # float32 from here on
        if g == 1:  # everything fits: keep the float64 deviations, unsorted (one partition at the end)
            self.points.append(rows)
            self.weights.append(np.ones(m))
            return
        rows.sort(axis=1)
        full = m // g
        points, weights = [], []
        if full:  # the mean of each run of g order statistics: g strided adds, no reshape copy
            mean = rows[:, 0 : full * g : g].copy()
            for j in range(1, g):
                mean += rows[:, j : full * g : g]
            mean *= np.float32(1 / g)
            points.append(mean)
            weights.append(np.full(full, float(g)))
        if m % g:
            points.append(rows[:, full * g :].mean(axis=1, keepdims=True, dtype=np.float64).astype(np.float32))
            weights.append(np.array([float(m % g)]))
        self.points.append(points[0] if len(points) == 1 else np.concatenate(points, axis=1))
        self.weights.append(np.concatenate(weights))

    @property
    def exact(self) -> bool:
        """True when no draw was compressed (the result equals :func:`percentile_table`)."""
        return self.group == 1

    def quantiles(self, block_bytes: int = 32 * 2**20) -> np.ndarray:
        """Percentiles, shape ``(len(PERCENTILES), *cells)``, merged a block of cells at a time
        (so the stored points are never copied whole)."""
        if self.cells is None or self.draws == 0:
            raise ValueError("no chunks added")
        n_points = sum(len(w) for w in self.weights)
        n_cells = self.shift.size
        weights = np.concatenate(self.weights)
        out = np.empty((len(PERCENTILES), n_cells))
        step = max(1, block_bytes // (8 * n_points))
        for c0 in range(0, n_cells, step):
            block = np.concatenate([p[c0 : c0 + step] for p in self.points], axis=1)
            if self.exact:
                out[:, c0 : c0 + step] = self.shift[c0 : c0 + step] + np.percentile(block, PERCENTILES, axis=1)
            else:
                out[:, c0 : c0 + step] = self.shift[c0 : c0 + step] + _weighted_percentiles(block, weights, self.draws)
        return out.reshape(len(PERCENTILES), *self.cells)

    def mean(self) -> np.ndarray:
        """Mean per cell (never compressed: a float64 running sum of deviations)."""
        return (self.shift + self.total / self.draws).reshape(self.cells)

    def table(self, index: Labels) -> pd.DataFrame:
        """Same long table as :func:`percentile_table`."""
        return _table(_labels(index, self.cells), self.quantiles(), self.mean())


def _weighted_percentiles(points: np.ndarray, weights: np.ndarray, draws: int) -> np.ndarray:
    """:data:`PERCENTILES` of weighted points (one row per cell) standing for ``draws`` draws.

    A point of weight ``w`` covers ``w`` consecutive ranks and sits at their centre: position =
    (weight before it) + (w − 1)/2, so unit weights give 0, 1, 2, ... and the rule reduces to
    numpy's "linear" percentile (target position ``q/100 · (draws − 1)``). Returns
    ``(len(PERCENTILES), cells)``.
    """
    if points.shape[1] == 1:
        return np.repeat(points.T, len(PERCENTILES), axis=0)
    out = np.empty((len(PERCENTILES), points.shape[0]))
    last = points.shape[1] - 2
    if np.all(weights == weights[0]):  # equal weights: every cell shares the positions
        values = np.sort(points, axis=1)
        position = np.cumsum(weights) - (weights + 1) / 2
        for k, q in enumerate(PERCENTILES):
            t = q / 100 * (draws - 1)
            i = int(np.clip(np.searchsorted(position, t, side="right") - 1, 0, last))
            frac = min(max((t - position[i]) / (position[i + 1] - position[i]), 0.0), 1.0)
            v0, v1 = values[:, i], values[:, i + 1]
            out[k] = np.where(v1 == v0, v0, v0 + (v1 - v0) * frac)
        return out
    order = np.argsort(points, axis=1)
    values = np.take_along_axis(points, order, axis=1)
    w = weights[order]
    position = np.cumsum(w, axis=1) - (w + 1) / 2
    for k, q in enumerate(PERCENTILES):
        t = q / 100 * (draws - 1)
        i = np.clip((position <= t).sum(axis=1) - 1, 0, last)[:, None]
        p0, p1 = np.take_along_axis(position, i, 1), np.take_along_axis(position, i + 1, 1)
        v0, v1 = np.take_along_axis(values, i, 1), np.take_along_axis(values, i + 1, 1)
        frac = np.clip((t - p0) / (p1 - p0), 0.0, 1.0)  # p1 > p0: weights are positive
        out[k] = np.where(v1 == v0, v0, v0 + (v1 - v0) * frac)[:, 0]
    return out
