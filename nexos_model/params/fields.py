"""Building blocks of the parameter schema: a field with user-facing metadata, year series.

Keys are Spanish (what users edit); attributes are English (what code reads). Each field's
metadata (``etiqueta``, ``unidad``, ``fuente``, ``rol``) is the one catalog that the validator,
the JSON Schema, the app's forms and the report annex all read.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema


def param(
    key: str,
    *,
    label: str,
    unit: str,
    source: str,
    ge: float | None = None,
    le: float | None = None,
    role: Literal["incertidumbre", "palanca"] | None = None,
    optional: bool = False,
) -> Any:
    """A field whose YAML key is ``key``, carrying its user-facing metadata.

    Required unless ``optional`` (then absent means ``None``: "not known for this municipality",
    and the model says which benchmark it used instead).
    """
    extra: dict[str, Any] = {"etiqueta": label, "unidad": unit, "fuente": source}
    if role:
        extra["rol"] = role
    if optional:
        return Field(None, alias=key, ge=ge, le=le, json_schema_extra=extra)
    return Field(alias=key, ge=ge, le=le, json_schema_extra=extra)


def _scalar_to_series(value: Any) -> Any:
    """A plain number means 'this value in every year' (year 0 = from the start)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return {0: value}
    return value


class _YearSeries:
    """Marks a year-keyed field in its metadata, so messages can say what it takes."""

    year_series = True
#: A year as a YAML key becomes a string key in JSON (what editors validate): 0 to 2100.
YEAR_KEY_PATTERN = "^(0|[1-9][0-9]{0,2}|1[0-9]{3}|20[0-9]{2}|2100)$"


def year_series(ge: float, le: float) -> Any:
    """Type of a year-keyed value: ``0.04`` or ``{2020: 0.04, 2025: 0.035}``.

    A year's value holds until the next year that sets one (Tax-Calculator style). The JSON
    Schema accepts both forms, as the loader does.
    """
    number = {"type": "number", "minimum": ge, "maximum": le}
    by_year = {"type": "object", "minProperties": 1, "propertyNames": {"pattern": YEAR_KEY_PATTERN},
               "additionalProperties": number}
    return Annotated[
        dict[Annotated[int, Field(ge=0, le=2100)], Annotated[float, Field(ge=ge, le=le)]],
        BeforeValidator(_scalar_to_series),
        _YearSeries(),
        WithJsonSchema({"anyOf": [number, by_year]}),
    ]


class Section(BaseModel):
    """A group of parameters: unknown keys are errors, keys are the Spanish aliases."""

    model_config = ConfigDict(extra="forbid", populate_by_name=False, frozen=True, allow_inf_nan=False)
