"""Legal rules checked on every projected year, each citing its article (``data/reglas.csv``).

A rule compares a measured value with a limit that is a parameter (``reglas.*``); the result is
one row per municipality, year and rule with ``cumple``, the excess in quetzales and a Spanish
sentence. Works on the fiscal core's arrays (municipalities, draws, years): the table is for the
first draw (the deterministic run); :func:`breach_flags` gives every draw for Monte Carlo.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import numpy as np
import pandas as pd

from nexos_model.fiscal.space import FiscalResult
from nexos_model.fiscal.terms import term_label, term_last_year
from nexos_model.params.calendar_schema import year_kinds
from nexos_model.params.values import Values
from nexos_model.wording import porcentaje, quetzales

RULE_COLUMNS = ["municipio", "anio", "tipo", "regla", "etiqueta", "articulo", "cumple", "valor", "limite",
                "exceso", "gasto_estimado", "mensaje"]
#: Rules measured on operating spending: they rest on an estimate when the municipality does not
#: give its own (``gasto.funcionamiento.monto_base``).
ON_OPERATING_SPENDING = frozenset({"aporte_funcionamiento", "iva_paz_funcionamiento", "codede_solo_inversion",
                                   "prestamos_solo_inversion", "gasto_financiado"})
TOLERANCE = 0.005  # quetzales: rounding noise is not a breach


@lru_cache(maxsize=1)
def catalog() -> pd.DataFrame:
    """The rules with their label, article and certainty ([C]/[NC])."""
    with resources.files("nexos_model.data").joinpath("reglas.csv").open(encoding="utf-8") as f:
        return pd.read_csv(f, dtype=str).set_index("regla")


def _share(part: np.ndarray, whole: np.ndarray) -> np.ndarray:
    return np.divide(part, whole, out=np.zeros(np.broadcast_shapes(part.shape, whole.shape)), where=whole > 0)


def excesses(result: FiscalResult, v: Values, years: np.ndarray) -> dict[str, np.ndarray]:
    """Per rule, the excess over its limit in Q, (M, D, T) or broadcastable to it: > 0 is a breach."""
    p = v.params
    lines, used = result.lines, result.used_for_operation
    deficit = lines["deficit"]
    out = {
        "aporte_funcionamiento": used["aporte_constitucional"]
        - v.scalar("reglas.aporte_funcionamiento_maximo") * lines["aporte_constitucional"],
        "iva_paz_funcionamiento": used["iva_paz"] - v.scalar("reglas.iva_paz_funcionamiento_maximo") * lines["iva_paz"],
        "codede_solo_inversion": used["codede"],
        "prestamos_solo_inversion": np.minimum(deficit, lines["desembolso_prestamo"]),
        "servicio_deuda": lines["servicio_deuda"] - v.scalar("reglas.servicio_deuda_maximo") * lines["ingresos_ordinarios"],
        "gasto_financiado": deficit,
    }
    term_excess = np.broadcast_to(0.0, np.shape(deficit))
    if _term_exceeded(result, v):
        # The whole loan breaks the rule; it is counted once, in the year it is taken.
        amount = np.asarray(v.scalar("deuda.nuevo_prestamo.monto"), dtype=float)
        term_excess = term_excess + np.where(years == p.debt.new_loan.start_year, amount, 0.0)
    out["plazo_prestamo"] = term_excess
    return out


def _term_end(v: Values) -> int:
    """The last full year of the council's term in course when the new loan starts."""
    p = v.params
    return int(term_last_year([p.debt.new_loan.start_year], p.calendar.term_start, p.calendar.term_length)[0])


def _term_exceeded(result: FiscalResult, v: Values) -> bool:
    return result.new_loan_last_year is not None and result.new_loan_last_year > _term_end(v)


def measures(result: FiscalResult, v: Values, years: np.ndarray) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Per rule: (measured value, limit, excess in Q), each (M, D, T). Excess > 0 is a breach."""
    lines, used = result.lines, result.used_for_operation
    aporte, iva = lines["aporte_constitucional"], lines["iva_paz"]
    zeros = np.zeros_like(aporte)
    excess = {rule: np.broadcast_to(e, zeros.shape) for rule, e in excesses(result, v, years).items()}
    values = {
        "aporte_funcionamiento": (_share(used["aporte_constitucional"], aporte),
                                  v.scalar("reglas.aporte_funcionamiento_maximo") + zeros),
        "iva_paz_funcionamiento": (_share(used["iva_paz"], iva), v.scalar("reglas.iva_paz_funcionamiento_maximo") + zeros),
        "codede_solo_inversion": (excess["codede_solo_inversion"], zeros),
        "prestamos_solo_inversion": (excess["prestamos_solo_inversion"], zeros),
        "servicio_deuda": (_share(lines["servicio_deuda"], lines["ingresos_ordinarios"]),
                           v.scalar("reglas.servicio_deuda_maximo") + zeros),
        "gasto_financiado": (excess["gasto_financiado"], zeros),
        "plazo_prestamo": (zeros + (result.new_loan_last_year or 0), zeros + _term_end(v)),
    }
    return {rule: (value, limit, excess[rule]) for rule, (value, limit) in values.items()}


def breach_flags(result: FiscalResult, v: Values, years: np.ndarray) -> dict[str, np.ndarray]:
    """Per rule, True where breached, (M, D, T): only the excesses, none of the table's shares."""
    shape = np.shape(result.lines["deficit"])
    flags = {}
    for rule, excess in excesses(result, v, years).items():
        if rule == "plazo_prestamo" and not _term_exceeded(result, v):
            flags[rule] = np.zeros(shape, dtype=bool)  # no excess anywhere
        else:
            flags[rule] = np.broadcast_to(excess > TOLERANCE, shape)
    return flags


def _shares(value: float, limit: float, ok: bool) -> tuple[str, str]:
    """A share and its limit as percentages, with as many decimals as it takes for a breach not to
    read as the limit itself (10.004 % over a 10 % limit: «10.004 %», never «10.0 %»)."""
    for decimals in (1, 2, 3, 4):
        shown = porcentaje(value, decimals), porcentaje(limit, decimals)
        if ok or shown[0] != shown[1]:
            return shown
    return shown


def _sentence(rule: str, year: int, ok: bool, value: float, limit: float, excess: float, v: Values) -> str:
    if rule == "aporte_funcionamiento":
        used, most = _shares(value, limit, ok)
        text = f"el funcionamiento usaría {used} del aporte constitucional (máximo {most})"
    elif rule == "iva_paz_funcionamiento":
        used, most = _shares(value, limit, ok)
        text = f"el funcionamiento usaría {used} del IVA-PAZ (máximo {most})"
    elif rule == "codede_solo_inversion":
        text = f"el funcionamiento usaría {quetzales(value)} de fondos CODEDE (deben ir solo a inversión)"
    elif rule == "prestamos_solo_inversion":
        text = (f"{quetzales(value)} del préstamo cubrirían gasto de funcionamiento sin otra fuente"
                if not ok else "el préstamo financia solo inversión")
    elif rule == "servicio_deuda":
        used, most = _shares(value, limit, ok)
        text = f"el servicio de la deuda sería {used} de los ingresos ordinarios (máximo {most})"
    elif rule == "plazo_prestamo":
        c = v.params.calendar
        term = term_label(v.params.debt.new_loan.start_year, c.term_start, c.term_length)
        text = (f"el préstamo nuevo vence en {int(value)}, después del período del Concejo {term} que lo "
                f"contrata (último año completo {int(limit)})"
                if not ok else f"el préstamo nuevo vence dentro del período del Concejo {term} que lo contrata")
    else:
        text = (f"faltarían {quetzales(value)} para pagar el funcionamiento y la deuda" if not ok
                else "el funcionamiento y la deuda tienen fuente de pago")
    verdict = "Cumple" if ok else f"No cumple (exceso {quetzales(excess)})"
    return f"{year}: {verdict}: {text}."


def rules_table(result: FiscalResult, v: Values, years: np.ndarray, municipios: list[str]) -> pd.DataFrame:
    """One row per municipality, year and rule (first draw). ``gasto_estimado``: the rule is
    measured on operating spending the model estimated (the municipality gave none): a breach
    then says so, and is told apart from one the data show."""
    info = catalog()
    estimated_spending = v.params.spending.operating.base_amount is None
    rows = []
    kinds = year_kinds(years, int(years[0]) - 1, v.params.calendar.budget_year)
    for rule, (value, limit, excess) in measures(result, v, years).items():
        if rule == "plazo_prestamo" and result.new_loan_last_year is None:
            continue
        for i, code in enumerate(municipios):
            for t, year in enumerate(years):
                val, lim, exc = float(value[i, 0, t]), float(limit[i, 0, t]), float(excess[i, 0, t])
                ok = exc <= TOLERANCE
                estimated = estimated_spending and rule in ON_OPERATING_SPENDING
                message = _sentence(rule, int(year), ok, val, lim, max(exc, 0.0), v)
                if estimated and not ok:
                    message += (" Se mide sobre un gasto de funcionamiento estimado, no sobre el del municipio "
                                "(su propio gasto, dado en su archivo de parámetros, lo reemplaza).")
                rows.append({"municipio": code, "anio": int(year), "tipo": kinds[t], "regla": rule,
                             "etiqueta": info.at[rule, "etiqueta"], "articulo": info.at[rule, "articulo"],
                             "cumple": ok, "valor": val, "limite": lim, "exceso": max(exc, 0.0),
                             "gasto_estimado": estimated, "mensaje": message})
    return pd.DataFrame(rows, columns=RULE_COLUMNS)
