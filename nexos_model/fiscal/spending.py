"""Operating spending: personnel and goods and services with their growth rules, plus recurrent
costs (operation and maintenance of new investments, reform implementation).

Arrays are (municipalities, draws, years), as in the rest of the core.
"""

from __future__ import annotations

import numpy as np

from nexos_model.params.values import Values


def operating_base(own_base: np.ndarray, aporte_base: np.ndarray, iva_base: np.ndarray, v: Values) -> np.ndarray:
    """Operating spending of the last history year (Q), (M, D): one value per municipality and draw.

    The bundled spending data (by función, partial after 2016) cannot give it, so unless the
    municipality states it (``gasto.funcionamiento.monto_base``) it is estimated as the part of
    own revenue that pays operation plus the operating ceilings of the aporte constitucional
    (Constitución art. 257) and IVA-PAZ: what a municipality that spends to its legal limits pays.
    """
    settings = v.params.spending.operating
    if settings.base_amount is not None:
        return np.full(np.shape(own_base), settings.base_amount)
    rules = v.params.rules
    return (settings.own_share * np.maximum(own_base, 0.0)
            + rules.aporte_operating_max * aporte_base + rules.iva_paz_operating_max * iva_base)


def operating_paths(base: np.ndarray, v: Values, years: np.ndarray) -> dict[str, np.ndarray]:
    """Personnel and goods-and-services spending by year (Q).

    personnel_t = base × personnel share × Π (1 + inflation)(1 + real salary adjustment)(1 + staff growth)
    goods_t     = base × (1 − personnel share) × Π (1 + inflation)
    """
    inflation = v.path("macro.inflacion", years)
    salary = v.path("gasto.funcionamiento.ajuste_salarial_real", years)
    staff = v.path("gasto.funcionamiento.crecimiento_plantilla", years)
    share = v.params.spending.operating.personnel_share
    b = base[:, :, None]
    personnel = b * share * np.cumprod((1 + inflation) * (1 + salary) * (1 + staff), axis=-1)
    goods = b * (1 - share) * np.cumprod(np.broadcast_to(1 + inflation, np.shape(inflation)), axis=-1)
    return {"gasto_personal": personnel, "gasto_bienes_servicios": goods}
