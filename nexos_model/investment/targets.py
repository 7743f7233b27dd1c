"""Strategic results (PDM-OT / PEI) a programme is valued against: their validation, and which
finished projects count toward each target.

A result (:class:`~nexos_model.params.investment_schema.ResultTarget`) has a baseline year and
value and a target year and value; the target path is linear between them. Only contributions
of projects finished by the target year count toward the target.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from nexos_model.errors import ParameterError
from nexos_model.params.investment_schema import ResultTarget
from nexos_model.params.problems import PYDANTIC_MESSAGES, shown


def parse_targets(targets: Mapping[str, Any] | None, archivo: str = "resultados") -> dict[str, ResultTarget]:
    """Validate ``{resultado: {indicador, unidad, anio_base, linea_base, anio_meta, meta}}``.

    Accepts already-built :class:`ResultTarget` values. Every error at once, in Spanish.
    """
    if not targets:
        return {}
    out, errors = {}, []
    for key, value in targets.items():
        if isinstance(value, ResultTarget):
            out[key] = value
            continue
        try:
            out[key] = ResultTarget.model_validate(value)
        except ValidationError as exc:
            for e in exc.errors():
                campo = ".".join(str(p) for p in e["loc"])
                if e["type"] == "value_error":
                    text = str(e.get("ctx", {}).get("error", e["msg"]))
                    errors.append(f"{archivo}: {key}: {text}")
                    continue
                given = "" if e["type"] == "missing" else f" (valor dado: {shown(e.get('input'))})"
                errors.append(f"{archivo}: {key}.{campo}: {PYDANTIC_MESSAGES.get(e['type'], 'valor no válido')}{given}")
    if errors:
        raise ParameterError(errors)
    return out


def counted_by(target: ResultTarget, finish_year: int) -> bool:
    """Whether a project finishing in ``finish_year`` counts toward the target."""
    return finish_year <= target.target_year


__all__ = ["ResultTarget", "counted_by", "parse_targets"]
