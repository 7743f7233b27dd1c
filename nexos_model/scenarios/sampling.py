"""Seeded, chunkable Monte Carlo draws of the uncertain parameters (Gaussian copula).

How a draw is made, in three vectorized steps (no Python loop over draws):

1. **Independent standard normals** (:func:`draw_standard_normals`). Draw ``i`` of a variable
   lives in block ``i // BLOCK_SIZE``; each (variable, block) has its own stream,
   ``np.random.default_rng(SeedSequence(seed, spawn_key=(key, block)))``, which is exactly the
   child that ``SeedSequence(...).spawn`` would give, built directly so any block can be made
   without making the ones before it. ``key`` is a CRC-32 of the variable's name, so a
   variable's draws depend only on (seed, name, draw index): adding or removing another
   uncertainty does not change them (common random numbers across scenarios).
2. **Correlation**: ``z = L @ z_indep`` with ``L`` the Cholesky factor of the correlation
   matrix (validated symmetric positive definite). The matrix is the correlation of the
   normal scores, i.e. the copula parameter; the rank (Spearman) correlation of the resulting
   variables is ``(6/π)·asin(ρ/2)`` whatever their marginals.
3. **Marginals**: each spec maps ``z`` to its value (``from_normal``: ``ppf(Φ(z))``, in closed
   form where one exists).

**Why chunking cannot change results.** A chunk ``[start, stop)`` reads each block it touches
from the start of that block's own stream (numpy fills normals in order, so row ``r`` of a
block is the same however many rows are drawn) and keeps the rows it needs; steps 2 and 3 act
on each draw alone. So ``sample_chunk(start, stop)`` equals ``sample(n)[start:stop]`` bit for
bit, for any cut. Chunks aligned to ``BLOCK_SIZE`` waste nothing; a chunk starting mid-block
redraws the rows of that block before it.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Union

import numpy as np

from nexos_model.errors import ParameterError
from nexos_model.params.distributions import parse_specs

__all__ = [
    "BLOCK_SIZE",
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


def draw_standard_normals(
    n_vars: int | Sequence[str],
    n: int,
    seed: int,
    *,
    start: int = 0,
    shape: tuple[int, ...] = (),
) -> np.ndarray:
    """Independent standard normals, shape ``(n_vars, n, *shape)``, for draws ``[start, start+n)``.

    ``n_vars`` is a count (streams keyed by position) or the variable names (keyed by name). This
    is all the randomness a Monte Carlo run consumes: a benchmark times it as the raw RNG cost.
    """
    keys = [_stream_key(v) for v in (range(n_vars) if isinstance(n_vars, int) else n_vars)]
    if len(set(keys)) != len(keys):
        raise ValueError(f"duplicate or colliding variable names: {list(n_vars)}")
    if n < 0 or start < 0:
        raise ValueError("start and n must be >= 0")
    stop = start + n
    out = np.empty((len(keys), n, *shape))
    cells = int(np.prod(shape, dtype=np.int64))
    for block in range(start // BLOCK_SIZE, -(-stop // BLOCK_SIZE)):
        b0 = block * BLOCK_SIZE
        lo, hi = max(start, b0), min(stop, b0 + BLOCK_SIZE)
        for i, key in enumerate(keys):
            rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(key, block)))
            # Normals fill in order, so the first rows of a block do not depend on how many
            # rows are asked for: draw only up to ``hi`` and drop the rows before ``lo``.
            z = rng.standard_normal((hi - b0) * cells).reshape((hi - b0, *shape))
            out[i, lo - start : hi - start] = z[lo - b0 :]
    return out


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
