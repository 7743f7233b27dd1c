"""What the advisor is looking at, and the model runs behind it, without any widget.

A :class:`Session` holds the municipality, the scenario, the adjustments (dotted keys, as
``run()`` takes them) and the number of simulations. Runs are cached by all of these (and by
the scenario file's modification time, so a re-saved user scenario is re-read): moving a slider
back, or switching tabs, costs nothing. All model calls go through :func:`nexos_model.api.run`;
an adjusted assumption that Monte Carlo samples takes its distribution along (the loader does
it for every face: :func:`nexos_model.params.loader.load_parameters`), and the investment plan of a run is :func:`nexos_model.api.plan_for_run`'s,
made once (:meth:`Session.plan`).
"""

from __future__ import annotations

import inspect
import json
from collections import OrderedDict
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Mapping

from nexos_model.api import plan_for_run, run
from nexos_model.errors import ParameterError
from nexos_model.params.loader import load_parameters, scenario_path
from nexos_model.params.uncertainty import with_centred_distributions

if TYPE_CHECKING:
    from nexos_model.api import RunResult
    from nexos_model.investment.plan import InvestmentPlan
    from nexos_model.params.loader import Resolved

#: Names ``run()`` may use for the number of Monte Carlo draws (checked once, in one place).
SIMULATION_ARGUMENTS = ("simulaciones", "draws", "n_draws")
#: ``run()``'s switch that programmes the portfolio and feeds the plan back into the projection.
PLAN_ARGUMENT = "planificar"


@lru_cache(maxsize=1)
def _run_parameters() -> frozenset[str]:
    return frozenset(inspect.signature(run).parameters)


def simulation_argument() -> str | None:
    """The keyword ``run()`` takes for the number of simulations, or None if it takes none yet."""
    return next((name for name in SIMULATION_ARGUMENTS if name in _run_parameters()), None)


def plan_supported() -> bool:
    """Whether ``run()`` can programme the investment plan (``planificar=True``)."""
    return PLAN_ARGUMENT in _run_parameters()


class Session:
    """Municipality, scenario, adjustments and simulations; cached model runs."""

    def __init__(self, municipio: str = "0901", escenario: str = "base",
                 overrides: Mapping[str, Any] | None = None, cache_size: int = 48):
        self.municipio = municipio
        self.escenario = escenario
        self.overrides: dict[str, Any] = dict(overrides or {})
        self.simulaciones = 0
        self.planificar = plan_supported()  # the plan's O&M and loans are part of what every card shows
        self._runs: OrderedDict[tuple, "RunResult"] = OrderedDict()
        self._scenario_params: dict[tuple, "Resolved"] = {}
        self._wides: dict[int, tuple["RunResult", Any]] = {}
        self._plans: dict[int, tuple["RunResult", Any]] = {}
        self._cache_size = cache_size

    # --- keys -------------------------------------------------------------------------------
    def _key(self, municipio: str, escenario: str, overrides: Mapping[str, Any], simulaciones: int,
             planificar: bool = False) -> tuple:
        try:
            stamp = scenario_path(escenario).stat().st_mtime_ns
        except ParameterError:  # unknown: run() says so
            stamp = 0
        return (municipio, escenario, stamp, json.dumps(dict(overrides), sort_keys=True, default=str),
                simulaciones if simulation_argument() else 0, planificar and plan_supported())

    def key(self) -> tuple:
        """Identifies the current settings: same key, same results."""
        return self._key(self.municipio, self.escenario, self.overrides, self.simulaciones, self.planificar)

    # --- runs -------------------------------------------------------------------------------
    def run(self, escenario: str | None = None, overrides: Mapping[str, Any] | None = None,
            simulaciones: int | None = None, municipio: str | None = None,
            planificar: bool | None = None) -> "RunResult":
        """``run()`` for the given settings (defaults: the session's), cached."""
        municipio = municipio or self.municipio
        escenario = escenario or self.escenario
        overrides = self.overrides if overrides is None else dict(overrides)
        simulaciones = self.simulaciones if simulaciones is None else simulaciones
        planificar = self.planificar if planificar is None else planificar
        key = self._key(municipio, escenario, overrides, simulaciones, planificar)
        if key in self._runs:
            self._runs.move_to_end(key)
            return self._runs[key]
        kwargs: dict[str, Any] = {}
        argument = simulation_argument()
        if argument and simulaciones > 0:
            kwargs[argument] = simulaciones
        if planificar and plan_supported():
            kwargs[PLAN_ARGUMENT] = True
        result = run(municipio, escenario, overrides=dict(overrides) or None, **kwargs)
        self._runs[key] = result
        while len(self._runs) > self._cache_size:
            self._runs.popitem(last=False)
        return result

    def wide(self, result: "RunResult") -> Any:
        """``result.wide()`` computed once per result (every view reads it)."""
        hit = self._wides.get(id(result))
        if hit is None or hit[0] is not result:
            hit = (result, result.wide(result.municipios[0]))
            self._wides[id(result)] = hit
            live = {id(r) for r in self._runs.values()}
            self._wides = {k: v for k, v in self._wides.items() if k in live or k == id(result)}
        return hit[1]

    def plan(self, result: "RunResult") -> "InvestmentPlan":
        """The investment plan of a run (the one it programmed, else ``plan_for_run`` on its fiscal
        space: the council report's), computed once per result."""
        hit = self._plans.get(id(result))
        if hit is None or hit[0] is not result:
            code = result.municipios[0]
            made = (getattr(result, "plans", None) or {}).get(code)
            hit = (result, made if made is not None else plan_for_run(result, code))
            live = {id(r) for r in self._runs.values()}
            self._plans = {k: v for k, v in self._plans.items() if k in live}
            self._plans[id(result)] = hit
        return hit[1]

    def full_overrides(self) -> dict[str, Any]:
        """The session's adjustments as a scenario file keeps them: with the distributions they move
        (:func:`~nexos_model.params.uncertainty.with_centred_distributions`), so the file loads alone."""
        return with_centred_distributions(self.overrides, self.scenario_parameters().params) if self.overrides else {}

    def result(self) -> "RunResult":
        """The current settings' result."""
        return self.run()

    def base_result(self) -> "RunResult":
        """The same municipality under scenario ``base`` with no adjustments (the reference),
        planned like the current result so that the two compare like with like."""
        return self.run("base", {}, 0)

    def _reference(self, municipio: str, escenario: str) -> "Resolved":
        key = self._key(municipio, escenario, {}, 0)
        if key not in self._scenario_params:
            self._scenario_params[key] = load_parameters(municipio, escenario)
        return self._scenario_params[key]

    def scenario_parameters(self) -> "Resolved":
        """The scenario's parameters without the app's adjustments (what 'Volver' goes back to)."""
        return self._reference(self.municipio, self.escenario)

    def parameters(self) -> "Resolved":
        """The parameters in effect, adjustments included, with provenance (from the cached run)."""
        return self.result().parameters[self.municipio]
