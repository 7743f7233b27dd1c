"""Seeded, chunkable Monte Carlo draws of the uncertain parameters (Gaussian copula).

How a draw is made, in three vectorized steps (no Python loop over draws):

1. **Independent standard normals** (:class:`NormalStreams`). Each variable has its own
   stream, keyed by the CRC-32 of its name (or its position), so a variable's draws depend only
   on (seed, name, draw index): adding or removing another uncertainty does not change them
   (common random numbers across scenarios). Draw ``i`` of a variable lives in block
   ``i // BLOCK_SIZE``; block ``b`` of key ``k`` is the PCG64 generator seeded by
   ``SeedSequence(seed, spawn_key=(k,))`` advanced by ``b · 2**64`` steps (far more than a
   block consumes), so any block can be reached without drawing the ones before it.
   Within a block, normals fill draw after draw, the cells of a draw (``shape``) in C order.
2. **Correlation**: ``z = L @ z_indep`` with ``L`` the Cholesky factor of the correlation
   matrix (validated symmetric positive definite). The matrix is the correlation of the
   normal scores, i.e. the copula parameter; the rank (Spearman) correlation of the resulting
   variables is ``(6/π)·asin(ρ/2)`` whatever their marginals.
3. **Marginals**: each spec maps ``z`` to its value (``from_normal``: ``ppf(Φ(z))``, in closed
   form where one exists).

**Why chunking cannot change results.** numpy fills normals in order, so row ``r`` of a
block is the same however many rows are drawn and in however many calls. A
:class:`NormalStreams` keeps each block's generator between chunks: a chunk that starts where
the previous one stopped continues it and draws nothing twice; a chunk that starts elsewhere
restarts the block and discards the rows before it. Steps 2 and 3 act on each draw alone. So
``sample_chunk(start, stop)`` equals ``sample(n)[start:stop]`` bit for bit, for any cut.

**Speed.** Normals go straight into the caller's array (``out=``, no reshape copy); the only
costs beyond numpy's own ziggurat are one seeding per variable (~15 µs) and a state reset per
block (~2 µs). ``dtype=float32`` draws numpy's single-precision ziggurat, ~20 % faster than
float64 and ample for noise that is scaled and exponentiated (see ``montecarlo``).

**Change of results (issue 20).** Before, each (variable, block) was seeded with its own
``SeedSequence(seed, spawn_key=(k, block))``, and the trend errors of a group of municipalities
shared one variable per revenue stream with the municipalities as cells: a municipality's
errors depended on which group it ran in (alone, every municipality of ``--municipio todos``
got the same errors). Now blocks are advances of one generator per variable, and the trend
errors are one variable per (stream, municipality) in float32: the same seed gives other
(equally valid) draws than before this change, and a municipality gets the same draws alone or
among all 340. Why: seeding every (variable, block) anew would cost ~20 µs × 4,080 variables ×
10 blocks (0.8 s) once the trend errors are per municipality, a reset by ``advance`` ~2 µs;
float32 normals are what make drawing as fast as numpy's float64 floor (the old layout, with
chunks redrawing their block's earlier rows, was 3.8× that floor).
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Union

import numpy as np

from nexos_model.errors import ParameterError
from nexos_model.params.distributions import parse_specs

__all__ = [
    "BLOCK_SIZE",
    "NormalStreams",
    "central_sample",
    "cholesky",
    "chunks",
    "correlation_matrix",
    "draw_standard_normals",
    "sample",
    "sample_chunk",
]

#: Draws per random stream block. Part of the seed contract: changing it changes every result.
BLOCK_SIZE = 1024

if TYPE_CHECKING:
    import pandas as pd

#: ``{(a, b): rho}`` or a square DataFrame labelled by variable names.
Correlation = Union[Mapping[tuple[str, str], float], "pd.DataFrame"]


def _stream_key(name: str | int) -> int:
    """A stable integer identifying a variable's stream (its position if ``int``)."""
    return name if isinstance(name, int) else zlib.crc32(str(name).encode("utf-8"))


#: Steps a block's generator is advanced from the previous block's start: no block can run
#: into the next (a normal consumes about one 64-bit output).
BLOCK_STRIDE = 2**64


class NormalStreams:
    """Independent standard normals of named variables, drawn chunk by chunk into given arrays.

    ``keys`` are variable names (or positions); each draw of a variable has ``shape`` cells.
    :meth:`fill` is bit-identical for any sequence of chunks (see the module docstring) and
    draws nothing twice when chunks follow each other.
    """

    def __init__(self, keys: Sequence[str | int], seed: int, *, shape: tuple[int, ...] = (),
                 dtype: type = np.float64) -> None:
        self.keys = [_stream_key(k) for k in keys]
        if len(set(self.keys)) != len(self.keys):
            raise ValueError(f"duplicate or colliding variable names: {list(keys)}")
        self.shape = tuple(shape)
        self.cells = math.prod(self.shape)
        self.dtype = np.dtype(dtype)
        self._seed = seed
        self._bits: list[np.random.PCG64] | None = None  # one per variable, reused across blocks
        self._origin: list[dict] = []  # each variable's state at block 0
        self._generators: list[np.random.Generator] = []
        self._block = -1
        self._next = -1  # the draw the generators are positioned at

    def _start_block(self, block: int) -> None:
        if self._bits is None:
            self._bits = [np.random.PCG64(np.random.SeedSequence(self._seed, spawn_key=(k,))) for k in self.keys]
            self._origin = [bits.state for bits in self._bits]
            self._generators = [np.random.Generator(bits) for bits in self._bits]
        for bits, origin in zip(self._bits, self._origin):
            bits.state = origin
            if block:
                bits.advance(block * BLOCK_STRIDE)
        self._block, self._next = block, block * BLOCK_SIZE

    def fill(self, out: np.ndarray, start: int) -> np.ndarray:
        """Draws ``[start, start + n)`` into ``out``, shape ``(len(keys), n, *shape)``, C-contiguous."""
        if start < 0:
            raise ValueError("start must be >= 0")
        n = out.shape[1] if out.ndim > 1 else 0
        if out.shape != (len(self.keys), n, *self.shape) or out.dtype != self.dtype or not out.flags.c_contiguous:
            raise ValueError(f"out must be a C-contiguous {self.dtype} array of shape "
                             f"({len(self.keys)}, n, *{self.shape}), got {out.dtype} {out.shape}")
        stop = start + n
        pos = start
        while pos < stop:
            block = pos // BLOCK_SIZE
            hi = min(stop, (block + 1) * BLOCK_SIZE)
            if block != self._block or pos < self._next:
                self._start_block(block)
            if pos > self._next:  # a jump forward within the block: discard the rows between
                skip = (pos - self._next) * self.cells
                for generator in self._generators:
                    generator.standard_normal(skip, dtype=self.dtype)
            rows = slice(pos - start, hi - start)
            for i, generator in enumerate(self._generators):
                generator.standard_normal(out=out[i, rows], dtype=self.dtype)
            pos = self._next = hi
        return out


def draw_standard_normals(
    n_vars: int | Sequence[str],
    n: int,
    seed: int,
    *,
    start: int = 0,
    shape: tuple[int, ...] = (),
    dtype: type = np.float64,
) -> np.ndarray:
    """Independent standard normals, shape ``(n_vars, n, *shape)``, for draws ``[start, start+n)``.

    ``n_vars`` is a count (streams keyed by position) or the variable names (keyed by name).
    One call of a fresh :class:`NormalStreams`; Monte Carlo keeps one across chunks instead.
    """
    if n < 0:
        raise ValueError("n must be >= 0")
    keys = range(n_vars) if isinstance(n_vars, int) else n_vars
    streams = NormalStreams(keys, seed, shape=shape, dtype=dtype)
    return streams.fill(np.empty((len(streams.keys), n, *shape), dtype=dtype), start)


def correlation_matrix(names: Sequence[str], correlation: Correlation | None) -> np.ndarray | None:
    """The full correlation matrix over ``names`` (identity where a pair is not given).

    Accepts ``{(a, b): rho}`` (either order, unlisted pairs 0) or a DataFrame indexed and
    columned by names (names it lacks are uncorrelated). ``None`` means independent. Raises a
    Spanish :class:`ParameterError` listing every problem: unknown names, |rho| > 1,
    contradictory or asymmetric pairs, a matrix that is not positive definite.
    """
    if correlation is None:
        return None
    pos = {name: i for i, name in enumerate(names)}
    matrix = np.eye(len(names))
    problems: list[str] = []
    given: dict[tuple[int, int], float] = {}
    if hasattr(correlation, "columns"):  # a DataFrame
        frame = correlation
        for label in list(frame.index) + list(frame.columns):
            if label not in pos:
                problems.append(f"correlación: '{label}' no es una incertidumbre declarada "
                                f"(se esperaba una de: {', '.join(names)})")
        pairs = [((r, c), frame.loc[r, c]) for r in frame.index for c in frame.columns
                 if r in pos and c in pos]
    else:
        pairs = []
        for pair, rho in dict(correlation).items():
            if not (isinstance(pair, tuple) and len(pair) == 2):
                problems.append(f"correlación: la clave {pair!r} debe ser un par (a, b)")
                continue
            unknown = [p for p in pair if p not in pos]
            if unknown:
                problems.append(f"correlación {pair[0]}–{pair[1]}: '{unknown[0]}' no es una incertidumbre "
                                f"declarada (se esperaba una de: {', '.join(names)})")
                continue
            pairs.append((pair, rho))
    for (a, b), rho in pairs:
        i, j = pos[a], pos[b]
        try:
            rho = float(rho)
        except (TypeError, ValueError):
            problems.append(f"correlación {a}–{b}: debe ser un número (valor dado: {rho!r})")
            continue
        if i == j:
            if rho != 1:
                problems.append(f"correlación {a}–{a}: la diagonal debe ser 1 (valor dado: {rho})")
            continue
        if not -1 <= rho <= 1:
            problems.append(f"correlación {a}–{b}: fuera de rango (valor dado: {rho}; se esperaba: entre -1 y 1)")
            continue
        key = (min(i, j), max(i, j))
        if key in given and abs(given[key] - rho) > 1e-12:
            problems.append(f"correlación {a}–{b}: la matriz no es simétrica "
                            f"(valores dados: {given[key]} y {rho}; se esperaba el mismo valor)")
            continue
        given[key] = rho
        matrix[i, j] = matrix[j, i] = rho
    if problems:
        raise ParameterError(problems)
    return matrix


def cholesky(matrix: np.ndarray, names: Sequence[str]) -> np.ndarray:
    """Lower Cholesky factor, or a Spanish error if the matrix is not positive definite."""
    try:
        return np.linalg.cholesky(matrix)
    except np.linalg.LinAlgError:
        low = float(np.linalg.eigvalsh(matrix).min())
        raise ParameterError(
            f"correlación entre {', '.join(names)}: la matriz no es definida positiva (valor propio "
            f"mínimo {low:.3g}; se esperaba > 0). Las correlaciones dadas se contradicen entre sí o "
            "alguna es ±1: redúzcalas (por ejemplo 0.99 en vez de 1)."
        ) from None


def sample_chunk(
    specs: Mapping[str, Any],
    start: int,
    stop: int,
    seed: int,
    correlation: Correlation | None = None,
    *,
    shape: tuple[int, ...] = (),
) -> dict[str, np.ndarray]:
    """Draws ``[start, stop)`` of every spec: ``{name: array (stop - start, *shape)}``.

    ``shape`` gives each variable independent draws per cell (e.g. ``(municipios, anios)``);
    the correlation acts between variables within a cell. Identical to the same rows of
    :func:`sample` (see the module docstring).
    """
    parsed = parse_specs(specs)
    names = sorted(parsed)
    if stop < start:
        raise ValueError("stop must be >= start")
    matrix = correlation_matrix(names, correlation)
    z = draw_standard_normals(names, stop - start, seed, start=start, shape=shape)
    if matrix is not None and len(names) > 1:
        factor = cholesky(matrix, names)
        z = np.tensordot(factor, z, axes=(1, 0))
    row = {name: i for i, name in enumerate(names)}
    return {name: spec.from_normal(z[row[name]]) for name, spec in parsed.items()}


def central_sample(specs: Mapping[str, Any], *, shape: tuple[int, ...] = ()) -> dict[str, np.ndarray]:
    """The deterministic run in :func:`sample`'s format: one "draw" at each spec's central
    value, ``{name: array (1, *shape)}``, so the projection has one code path."""
    return {name: np.full((1, *shape), spec.central()) for name, spec in parse_specs(specs).items()}


def sample(
    specs: Mapping[str, Any],
    n: int,
    seed: int,
    correlation: Correlation | None = None,
    *,
    shape: tuple[int, ...] = (),
) -> dict[str, np.ndarray]:
    """``n`` draws of every spec, ``{name: array (n, *shape)}``, reproducible from ``seed``."""
    return sample_chunk(specs, 0, n, seed, correlation, shape=shape)


def chunks(n: int, size: int) -> Iterable[tuple[int, int]]:
    """``(start, stop)`` pairs covering ``[0, n)``, ``size`` draws each (round it to BLOCK_SIZE)."""
    return ((s, min(s + size, n)) for s in range(0, n, size))
