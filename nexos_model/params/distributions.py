"""Distributions of uncertain parameters, as users write them in YAML.

A spec is a small mapping with Spanish keys::

    inflacion: {distribucion: normal, media: 0.04, desviacion: 0.01, minimo: 0.0}
    cobro_iusi: {distribucion: lognormal, media: 1.0, desviacion: 0.15}
    cobertura: {distribucion: triangular, minimo: 0.3, moda: 0.5, maximo: 0.6}
    recaudo: {distribucion: beta, alfa: 4, beta: 2, minimo: 0.5, maximo: 1.0}
    tasa: {distribucion: uniforme, minimo: 0.02, maximo: 0.05}

Conventions (one each, so a value means one thing everywhere):

- ``lognormal``: ``media`` and ``desviacion`` are the mean and standard deviation of the
  variable itself (what a finance officer can state), not of its logarithm.
- ``minimo``/``maximo`` truncate a ``normal`` (so inflation cannot go negative); the other
  families are positive (lognormal) or bounded already.
- :func:`central` is the **mean** of the distribution the draws come from (truncation
  included) for every family, the triangular too (its mean is ``(minimo + moda + maximo) / 3``,
  not the mode). One rule means a deterministic run uses each input's expected value, which
  is also what the Monte Carlo inputs average to.
- Zero variance (``desviacion: 0``, or ``minimo == maximo``) is a point mass: every draw is
  exactly :func:`central`, so a Monte Carlo run equals the deterministic one bit for bit.

Sampling uses the spec's own vectorized ``ppf``/``from_normal`` (closed forms, checked against
the ``scipy.stats`` distributions in the tests) because they are several times faster than
scipy's generic machinery and exact in the tails (a normal is ``media + desviacion * z``, never
``ppf(cdf(z))``). Cost per value, against drawing the normal itself (measured,
``shape=(340, 10)``, loaded machine, rough): normal ~0.1×, lognormal ~0.7×, uniform ~1× (one
Φ), truncated normal ~1.4× (Φ and Φ⁻¹), triangular ~2×, beta ~45× (scipy's iterative inverse of
the incomplete beta). For draws per municipality and year, prefer the first five; beta is fine
for a few national values per draw.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping
from typing import Annotated, Any, Literal, Union

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, model_validator
from scipy import special

from nexos_model.errors import ParameterError
from nexos_model.params.problems import problem_text, shown

__all__ = [
    "FAMILIES",
    "Beta",
    "LogNormal",
    "Normal",
    "Spec",
    "Triangular",
    "Uniform",
    "central",
    "describe",
    "is_point_mass",
    "parse_spec",
    "parse_specs",
]


class _Spec(BaseModel):
    """Common behaviour: Spanish keys, unknown keys rejected, finite numbers only, immutable."""

    model_config = ConfigDict(extra="forbid", populate_by_name=False, frozen=True, allow_inf_nan=False)

    def is_point_mass(self) -> bool:  # pragma: no cover - every family overrides
        raise NotImplementedError

    def central(self) -> float:  # pragma: no cover
        raise NotImplementedError

    def ppf(self, u: np.ndarray) -> np.ndarray:  # pragma: no cover
        """Quantile function, vectorized over any shape (``u`` in (0, 1))."""
        raise NotImplementedError

    def from_normal(self, z: np.ndarray) -> np.ndarray:
        """The value whose probability equals a standard normal's ``z`` (copula step)."""
        if self.is_point_mass():
            return np.full(np.shape(z), self.central())
        return self.ppf(special.ndtr(z))


class Normal(_Spec):
    """Normal(media, desviacion), optionally truncated to [minimo, maximo]."""

    distribution: Literal["normal"] = Field(alias="distribucion")
    mean: float = Field(alias="media")
    std: float = Field(alias="desviacion", ge=0)
    minimum: float | None = Field(default=None, alias="minimo")
    maximum: float | None = Field(default=None, alias="maximo")

    @model_validator(mode="after")
    def _check(self) -> "Normal":
        lo = -math.inf if self.minimum is None else self.minimum
        hi = math.inf if self.maximum is None else self.maximum
        problems = []
        if lo > hi:
            problems.append(f"minimo ({lo}) debe ser menor o igual que maximo ({hi})")
        if not lo <= self.mean <= hi:
            problems.append(f"media ({self.mean}) debe estar entre minimo y maximo")
        if problems:
            raise ValueError("\n".join(problems))
        return self

    @property
    def truncated(self) -> bool:
        return self.minimum is not None or self.maximum is not None

    def _bounds(self) -> tuple[float, float]:
        """Truncation bounds in standard units."""
        lo = -math.inf if self.minimum is None else (self.minimum - self.mean) / self.std
        hi = math.inf if self.maximum is None else (self.maximum - self.mean) / self.std
        return lo, hi

    def is_point_mass(self) -> bool:
        return self.std == 0 or (self.truncated and self.minimum == self.maximum)

    def central(self) -> float:
        if self.is_point_mass():
            return self.mean if self.std == 0 else float(self.minimum)
        if self.truncated:
            # Mean of the truncated normal: media + desviacion × (φ(a) − φ(b)) / (Φ(b) − Φ(a)),
            # a <= 0 <= b in standard units (media lies within the bounds), so no cancellation.
            a, b = self._bounds()
            density = [0.0 if math.isinf(x) else math.exp(-x * x / 2) / math.sqrt(2 * math.pi) for x in (a, b)]
            return float(self.mean + self.std * (density[0] - density[1]) / (special.ndtr(b) - special.ndtr(a)))
        return self.mean

    def ppf(self, u):
        if self.is_point_mass():
            return np.full(np.shape(u), self.central())
        if self.truncated:
            # Inverse CDF restricted to [Phi(a), Phi(b)]: a <= 0 always (media lies within the
            # bounds), so Phi(a) is a small, accurate probability. ~20x faster than scipy's
            # truncnorm.ppf, and equal to it (tests).
            a, b = self._bounds()
            pa, pb = special.ndtr(a), special.ndtr(b)
            u = np.clip(u, 0.0, np.nextafter(1.0, 0.0))
            x = self.mean + self.std * special.ndtri(pa + u * (pb - pa))
            return np.clip(x, self.minimum if self.minimum is not None else -np.inf,
                           self.maximum if self.maximum is not None else np.inf)
        return self.mean + self.std * special.ndtri(u)

    def from_normal(self, z):
        if self.truncated or self.is_point_mass():
            return super().from_normal(z)
        return self.mean + self.std * np.asarray(z)


class LogNormal(_Spec):
    """Lognormal with the given mean and standard deviation *of the variable itself*.

    ``sigma² = ln(1 + (desviacion/media)²)``, ``mu = ln(media) − sigma²/2``, so
    ``E[X] = media`` and ``SD[X] = desviacion`` exactly.
    """

    distribution: Literal["lognormal"] = Field(alias="distribucion")
    mean: float = Field(alias="media", gt=0)
    std: float = Field(alias="desviacion", ge=0)

    @property
    def log_params(self) -> tuple[float, float]:
        """(mu, sigma) of ln X."""
        sigma = math.sqrt(math.log1p((self.std / self.mean) ** 2))
        return math.log(self.mean) - sigma**2 / 2, sigma

    def is_point_mass(self) -> bool:
        return self.std == 0

    def central(self) -> float:
        return self.mean

    def ppf(self, u):
        return self.from_normal(special.ndtri(u))

    def from_normal(self, z):
        if self.is_point_mass():
            return np.full(np.shape(z), self.mean)
        mu, sigma = self.log_params
        return np.exp(mu + sigma * np.asarray(z))


class Triangular(_Spec):
    """Triangular on [minimo, maximo] with its peak at moda."""

    distribution: Literal["triangular"] = Field(alias="distribucion")
    minimum: float = Field(alias="minimo")
    mode: float = Field(alias="moda")
    maximum: float = Field(alias="maximo")

    @model_validator(mode="after")
    def _check(self) -> "Triangular":
        if not self.minimum <= self.mode <= self.maximum:
            raise ValueError(
                f"se requiere minimo <= moda <= maximo (dados {self.minimum}, {self.mode}, {self.maximum})"
            )
        return self

    def is_point_mass(self) -> bool:
        return self.minimum == self.maximum

    def central(self) -> float:
        if self.is_point_mass():
            return self.minimum
        return (self.minimum + self.mode + self.maximum) / 3

    def ppf(self, u):
        if self.is_point_mass():
            return np.full(np.shape(u), self.minimum)
        u = np.asarray(u, dtype=float)
        a, c, b = self.minimum, self.mode, self.maximum
        split = (c - a) / (b - a)
        left = a + np.sqrt(u * (b - a) * (c - a))
        right = b - np.sqrt((1 - u) * (b - a) * (b - c))
        return np.where(u < split, left, right)


class _Bounded(_Spec):
    """A distribution on [minimo, maximo]; a point mass when they are equal."""

    @model_validator(mode="after")
    def _check_bounds(self) -> "_Bounded":
        if self.minimum > self.maximum:
            raise ValueError(f"minimo ({self.minimum}) debe ser menor o igual que maximo ({self.maximum})")
        return self

    def is_point_mass(self) -> bool:
        return self.minimum == self.maximum


class Beta(_Bounded):
    """Beta(alfa, beta) rescaled to [minimo, maximo] (e.g. a collection rate between 0.5 and 1)."""

    distribution: Literal["beta"] = Field(alias="distribucion")
    alpha: float = Field(alias="alfa", gt=0)
    beta: float = Field(alias="beta", gt=0)
    minimum: float = Field(alias="minimo")
    maximum: float = Field(alias="maximo")


    def central(self) -> float:
        if self.is_point_mass():
            return self.minimum
        return self.minimum + (self.maximum - self.minimum) * self.alpha / (self.alpha + self.beta)

    def ppf(self, u):
        if self.is_point_mass():
            return np.full(np.shape(u), self.minimum)
        return self.minimum + (self.maximum - self.minimum) * special.betaincinv(self.alpha, self.beta, u)


class Uniform(_Bounded):
    """Uniform on [minimo, maximo]."""

    distribution: Literal["uniforme"] = Field(alias="distribucion")
    minimum: float = Field(alias="minimo")
    maximum: float = Field(alias="maximo")


    def central(self) -> float:
        return self.minimum if self.is_point_mass() else (self.minimum + self.maximum) / 2

    def ppf(self, u):
        if self.is_point_mass():
            return np.full(np.shape(u), self.minimum)
        return self.minimum + (self.maximum - self.minimum) * np.asarray(u, dtype=float)


#: A distribution spec, told apart by its ``distribucion`` key.
Spec = Annotated[Union[Normal, LogNormal, Triangular, Beta, Uniform], Field(discriminator="distribution")]

#: ``distribucion`` value (what users write) -> the model that validates it.
FAMILIES: dict[str, type[_Spec]] = {
    "normal": Normal,
    "lognormal": LogNormal,
    "triangular": Triangular,
    "beta": Beta,
    "uniforme": Uniform,
}

_ONE = TypeAdapter(Spec)
_MANY = TypeAdapter(dict[str, Spec])


def central(spec: _Spec) -> float:
    """The value a deterministic run uses: the distribution's mean (see the module docstring)."""
    return float(spec.central())


def is_point_mass(spec: _Spec) -> bool:
    """True when the spec has zero variance (every draw equals :func:`central`)."""
    return spec.is_point_mass()


def describe(spec: _Spec) -> str:
    """One Spanish line for the report annex, e.g. ``normal (media 0.04, desviación 0.01)``."""
    names = {"mean": "media", "std": "desviación", "minimum": "mínimo", "mode": "moda",
             "maximum": "máximo", "alpha": "alfa", "beta": "beta"}
    parts = [f"{names[k]} {v:g}" for k, v in spec.model_dump(exclude={"distribution"}).items() if v is not None]
    return f"{spec.model_dump()['distribution']} ({', '.join(parts)})"


def parse_spec(raw: Any, where: str = "distribución") -> _Spec:
    """Validate one spec as written in YAML; every problem at once, in Spanish."""
    try:
        return _ONE.validate_python(raw)
    except ValidationError as exc:
        raise ParameterError(_explain(exc, where, 0)) from None


def parse_specs(raw: Mapping[str, Any], where: str = "") -> dict[str, _Spec]:
    """Validate ``{nombre: spec}``; specs already parsed pass through. ``where`` prefixes messages
    (e.g. the file name)."""
    if not isinstance(raw, Mapping):
        raise ParameterError(f"{where or 'incertidumbres'}: debe ser un mapa de nombre a distribución "
                             f"(valor dado: {shown(raw)})")
    todo = {k: v for k, v in raw.items() if not isinstance(v, _Spec)}
    done = {k: v for k, v in raw.items() if isinstance(v, _Spec)}
    if todo:
        try:
            done.update(_MANY.validate_python(todo))
        except ValidationError as exc:
            raise ParameterError(_explain(exc, where, 1)) from None
    return {k: done[k] for k in raw}


# --- Spanish error messages -------------------------------------------------------------

_MESSAGES = {
    "missing": "falta esta clave",
    "extra_forbidden": "clave desconocida",
    "float_parsing": "debe ser un número",
    "float_type": "debe ser un número",
    "finite_number": "debe ser un número finito",
    "greater_than": "fuera de rango",
    "greater_than_equal": "fuera de rango",
    "dict_type": "debe ser un mapa de claves",
    "model_attributes_type": "debe ser un mapa de claves",
    "model_type": "debe ser un mapa de claves",
    "union_tag_not_found": "falta la clave 'distribucion'",
    "union_tag_invalid": "distribución desconocida",
}

_KEYS = {
    name: [f.alias for f in model.model_fields.values()] for name, model in FAMILIES.items()
}


def _expected(error: dict[str, Any]) -> str:
    kind, ctx = error["type"], error.get("ctx") or {}
    if kind in {"union_tag_not_found", "union_tag_invalid"}:
        return "distribucion: uno de " + ", ".join(FAMILIES)
    if kind == "greater_than":
        return f"un número > {ctx['gt']}"
    if kind == "greater_than_equal":
        return f"un número >= {ctx['ge']}"
    if kind in {"float_parsing", "float_type", "finite_number"}:
        return "un número finito"
    if kind == "missing":
        return "un número"
    return ""


def _explain(exc: ValidationError, where: str, tag_at: int) -> list[str]:
    """``where: nombre.clave: mensaje (valor dado: ...; se esperaba: ...)`` per error.

    ``tag_at`` is where pydantic puts the union tag in ``loc`` (0 for one spec, 1 for a map).
    """
    messages = []
    for error in exc.errors():
        # Drop the union tag pydantic inserts into the location ("normal", "beta", ...).
        loc = list(error["loc"])
        family = None
        if len(loc) > tag_at and loc[tag_at] in FAMILIES and not error["type"].startswith("union_tag"):
            family = loc.pop(tag_at)
        path = ".".join(str(p) for p in loc)
        kind = error["type"]
        text = _MESSAGES.get(kind) or problem_text(error)
        detail = [] if kind in {"missing", "union_tag_not_found"} else [f"valor dado: {shown(error.get('input'))}"]
        if kind == "union_tag_invalid":
            detail = [f"valor dado: {shown((error.get('ctx') or {}).get('tag'))}"]
        if kind == "value_error":  # our own cross-key checks already say what is expected
            text, detail = str((error.get("ctx") or {}).get("error", text)), []
        expected = _expected(error)
        if kind == "extra_forbidden" and family:
            hint = difflib.get_close_matches(str(loc[-1]), _KEYS[family], n=1)
            text += f"; ¿quiso decir '{hint[0]}'?" if hint else ""
            expected = f"una de las claves de '{family}': {', '.join(_KEYS[family])}"
        if expected and kind != "value_error":
            detail.append(f"se esperaba: {expected}")
        suffix = f" ({'; '.join(detail)})" if detail else ""
        prefix = ": ".join(p for p in (where, path) if p)
        messages.append(f"{prefix}: {text}{suffix}" if prefix else f"{text}{suffix}")
    return messages
