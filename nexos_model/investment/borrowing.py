"""New INFOM borrowing the plan may decide: loans of several years share one debt-service room.

``prestamo_infom`` space of year t is D_t (proceeds of loans already decided, whose service the
projection already has) plus C_t (the largest new loan the debt-service room allows if taken
alone in t, repaid over T_t years). A new loan n_t takes the share n_t / C_t of the room in every
year it is being repaid, and those shares may not add up to more than 1 in any year.

The new loans' debt service is money too: Σ_t n_t × s_t(y) (``service``: per quetzal borrowed)
is paid in year y from ``payment_source`` (``deuda.fuente_pago``) and counts against that
source's space, so the plan never invests money its own loans must repay.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from nexos_model.errors import ParameterError
from nexos_model.investment.project import INFOM


@dataclass(frozen=True)
class NewBorrowing:
    """New INFOM borrowing the plan may decide, by start year.

    ``capacity[t]``: the largest new loan the debt-service room allows if taken alone in t (Q);
    ``term[t]``: its term in years (repaid in t, t + 1, ..., t + term - 1). The rest of the
    ``prestamo_infom`` space (space - capacity) is money from loans already decided, whose
    service is already in the projection.
    """

    capacity: Mapping[int, float]
    term: Mapping[int, int]
    service: Mapping[int, tuple[float, ...]] | None = None  # per quetzal taken in t: service in t, t + 1, ...
    payment_source: str = "aporte_constitucional"

    def service_share(self, t: int, y: int) -> float:
        """Debt service in year y of one quetzal borrowed in t (0 without a schedule)."""
        if self.service is None or t not in self.service or not 0 <= y - t < len(self.service[t]):
            return 0.0
        return float(self.service[t][y - t])


def check_borrowing(borrowing: NewBorrowing | None, space: pd.DataFrame, years: Sequence[int]) -> NewBorrowing | None:
    """Every plan year has a term >= 1 and a capacity within the ``prestamo_infom`` space."""
    if borrowing is None:
        return None
    errors, capacity, term = [], {}, {}
    rooms = dict(zip(space.columns, space.loc[INFOM].tolist()))
    for y in years:
        c, t = borrowing.capacity.get(y), borrowing.term.get(y)
        room = rooms[y]
        if c is None or t is None:
            errors.append(f"préstamo nuevo {y}: falta la capacidad o el plazo (se esperaba uno por año del plan)")
            continue
        if not 0 <= float(c) <= room * (1 + 1e-9) + 1e-6:
            errors.append(f"préstamo nuevo {y}: capacidad {float(c):,.2f} fuera del espacio prestamo_infom "
                          f"{room:,.2f} (se esperaba: entre 0 y el espacio)")
        if int(t) < 1:
            errors.append(f"préstamo nuevo {y}: plazo {t!r} (se esperaba: 1 año o más)")
        capacity[int(y)], term[int(y)] = min(float(c), room), int(t)
    if errors:
        raise ParameterError(errors)
    return NewBorrowing(capacity, term, borrowing.service, borrowing.payment_source)


def being_repaid(t: int, y: int, borrowing: NewBorrowing) -> bool:
    """Whether a loan taken in t is being repaid in y."""
    return t <= y < t + borrowing.term[t]


def new_loans(space_row: np.ndarray, used: np.ndarray, years: Sequence[int],
              borrowing: NewBorrowing | None) -> np.ndarray:
    """New borrowing each year (Q): what the plan takes beyond the loans already decided."""
    if borrowing is None:
        return np.zeros(len(years))
    decided = np.asarray(space_row, float) - np.array([borrowing.capacity[y] for y in years])
    return np.maximum(np.asarray(used, float) - decided, 0.0)


def new_loan_service(space_row: np.ndarray, used: np.ndarray, years: Sequence[int],
                     borrowing: NewBorrowing | None) -> np.ndarray:
    """Debt service of the new loans in each plan year (Q): Σ_t n_t × s_t(y)."""
    years = list(years)
    if borrowing is None:
        return np.zeros(len(years))
    fresh = new_loans(space_row, used, years, borrowing)
    return np.array([sum(fresh[i] * borrowing.service_share(t, y) for i, t in enumerate(years)) for y in years])


def loan_load(space_row: np.ndarray, used: np.ndarray, years: Sequence[int], borrowing: NewBorrowing) -> np.ndarray:
    """Share of the debt-service room taken in each year by the new loans being repaid (<= 1)."""
    years = list(years)
    fresh = new_loans(space_row, used, years, borrowing)
    cap = np.array([borrowing.capacity[y] for y in years])
    share = np.divide(fresh, cap, out=np.zeros(len(years)), where=cap > 0)
    return np.array([sum(share[i] for i, t in enumerate(years) if being_repaid(t, y, borrowing)) for y in years])


def loan_room(space_row: np.ndarray, used: np.ndarray, years: Sequence[int],
              borrowing: NewBorrowing | None) -> np.ndarray:
    """Borrowed money still available in each year (Q), given what is already used.

    Without ``borrowing`` it is ``space - used``. With it: what is left of the decided loans,
    plus the year's capacity times what is left of the room in the tightest year its loan
    would be repaid.
    """
    space_row = np.asarray(space_row, float)
    used = np.asarray(used, float)
    if borrowing is None:
        return space_row - used
    years = list(years)
    cap = np.array([borrowing.capacity[y] for y in years])
    load = loan_load(space_row, used, years, borrowing)
    room = np.zeros(len(years))
    for i, t in enumerate(years):
        active = [j for j, y in enumerate(years) if being_repaid(t, y, borrowing)]
        slack = max(0.0, min(1.0 - load[j] for j in active))
        room[i] = max(space_row[i] - cap[i] - used[i], 0.0) + cap[i] * slack
    return np.minimum(room, space_row - used)


__all__ = ["NewBorrowing", "check_borrowing", "loan_load", "loan_room", "new_loan_service", "new_loans"]
