"""``run()``: the one entry point that notebooks, the app, the CLI and the batch runner share.

It loads and validates parameters, reads the history (the bundled data under the exports
imported into the local store, ``nexos datos``, and a user's ``--datos`` file on top, by year),
diagnoses data quality, and calls the pure projection core from each municipality's last observed
year through the calendar's last year (years before the budget year are estimates); with
``planificar=True`` it also programmes the municipality's portfolio (:func:`plan_for_run`) and
feeds the plan back into the projection. This is the layer that joins files to the model: the
model packages below it never read a file.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Mapping

import numpy as np
import pandas as pd

from nexos_model import catalog, projection as core
from nexos_model.diagnostics.indicators import compare_with_peers, indicators, peer_medians
from nexos_model.diagnostics.quality import EXCLUDING_TYPES, annual_values, diagnose, flagged_cells
from nexos_model.errors import NexosError, ParameterError
from nexos_model.fiscal.rules import rules_table
from nexos_model.fiscal.transfers import estimate_aldeas_caserios
from nexos_model.investment.plan import (
    InvestmentPlan,
    illustrative_budget,
    plan_for_space,
    plan_years,
    run_space,
)
from nexos_model.io.bundled import load_municipalities, national_figures
from nexos_model.io.history import history_digest, load_history, loaded_years, with_other_municipalities
from nexos_model.io.store import store_path
from nexos_model.io.portfolio import find_portfolio, illustrative_portfolio_for, load_portfolio
from nexos_model.params.keys import lookup
from nexos_model.params.loader import Resolved, load_parameters, params_folders
from nexos_model.params.problems import shown
from nexos_model.params.revenue_schema import DRIVER_KEYS
from nexos_model.params.values import Values
from nexos_model.projection import RESULT_COLUMNS, ProjectionInputs, with_kinds
from nexos_model.revenue import trend
from nexos_model.revenue.streams import lever_notes
from nexos_model.scenarios.montecarlo import simulate


#: Every table of a run by its Spanish name, in the order of :meth:`RunResult.tables` (the
#: last two only with Monte Carlo): the sheets of ``nexos proyectar --salida x.xlsx``, or its files.
TABLE_NAMES = ("proyeccion", "brechas", "calibracion", "espacio_fiscal", "reglas", "aporte", "endeudamiento",
               "supuestos", "indicadores", "calidad", "percentiles", "probabilidades")


@dataclass
class RunResult:
    """What ``run()`` returns: parameters with provenance, history, diagnostics and projection."""

    escenario: str
    parameters: dict[str, Resolved]
    history: pd.DataFrame  # tidy source lines of the municipalities run
    annual: pd.DataFrame  # municipio, anio, concepto, valor (observed, duplicates removed)
    quality: pd.DataFrame  # findings of the data-quality diagnostics
    projection: pd.DataFrame  # escenario, municipio, anio, tipo (estimado | proyectado), concepto, valor
    notes: dict[str, list[str]] = field(default_factory=dict)  # Spanish: what was done about doubtful data
    peers: pd.DataFrame | None = None  # indicator medians by department and nationally (observed years)
    gaps: pd.DataFrame | None = None  # potential and gap of the driver streams (municipio, anio, flujo, componente, valor, per_capita)
    calibration: pd.DataFrame | None = None  # implied unobserved drivers that reproduce the base year
    fiscal_space: pd.DataFrame | None = None  # municipio, anio, fuente, monto
    rules: pd.DataFrame | None = None  # one row per municipality, year and legal rule
    aporte: pd.DataFrame | None = None  # aporte constitucional by art. 119 criterion
    borrowing: pd.DataFrame | None = None  # largest new INFOM loan by start year
    assumptions: pd.DataFrame | None = None  # generic assumptions the run rests on (assumptions_table)
    arrays: dict[str, Any] = field(default_factory=dict, repr=False)  # model arrays per municipality
    percentiles: pd.DataFrame | None = None  # Monte Carlo: municipio, anio, concepto, p05..p95, media
    probabilities: pd.DataFrame | None = None  # Monte Carlo: municipio, anio, evento, probabilidad
    simulations: int = 0
    seed: int | None = None
    plans: dict[str, InvestmentPlan] = field(default_factory=dict)  # municipio -> plan (run(planificar=True))
    data_digest: str = ""  # fingerprint of the history beyond the package's own: the store, a --datos file
    loaded: dict[str, list[int]] = field(default_factory=dict)  # municipio -> years from the store or --datos
    _wide: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False, compare=False)

    @property
    def municipios(self) -> list[str]:
        return list(self.parameters)

    def code(self, municipio: str | int | None = None) -> str:
        """The INE code of one municipality of this run: ``municipio`` as text or as a number
        (``901`` is ``'0901'``), or the first one when not given."""
        if municipio is None or municipio == "":
            return self.municipios[0]
        code = municipio_code(municipio)
        if code not in self.parameters:
            raise NexosError(f"municipio {code}: no está en esta corrida (municipios: {', '.join(self.municipios)})")
        return code

    @property
    def params(self) -> Resolved:
        """The resolved parameters when a single municipality was run."""
        if len(self.parameters) != 1:
            raise ValueError("varios municipios: use .parameters[código]")
        return next(iter(self.parameters.values()))

    def last_observed(self, municipio: str | int | None = None) -> int:
        """The last year with data of one municipality (later years are estimates or projections)."""
        municipio = self.code(municipio)
        return int(self.annual.loc[self.annual["municipio"] == municipio, "anio"].max())

    def budget_year(self, municipio: str | int | None = None) -> int:
        """The budget being prepared (``calendario.anio_presupuesto``) of one municipality's run."""
        return int(self.parameters[self.code(municipio)].params.calendar.budget_year)

    def kinds(self, table: pd.DataFrame) -> pd.DataFrame:
        """``table`` (``municipio``, ``anio``) with its ``tipo`` column: observado, estimado, proyectado."""
        return with_kinds(table, {c: self.last_observed(c) for c in self.municipios},
                          {c: self.budget_year(c) for c in self.municipios})

    def tidy(self) -> pd.DataFrame:
        """Observed, estimated and projected years in one long table (``escenario, municipio, anio,
        tipo, concepto, valor``): the observed MINFIN concepts and their totals, then every line
        the model computed. What ``nexos proyectar`` writes as ``proyeccion``."""
        observed = catalog.long_with_totals(self.annual).assign(escenario=self.escenario, tipo="observado")
        frame = pd.concat([observed[RESULT_COLUMNS], self.projection[RESULT_COLUMNS]], ignore_index=True)
        return frame.sort_values(["municipio", "anio"], kind="stable").reset_index(drop=True)

    def indicators(self, municipio: str | int | None = None) -> pd.DataFrame:
        """Indicators of one municipality, observed, estimated and projected years (``tipo``),
        beside peer medians."""
        municipio = self.code(municipio)
        table = load_municipalities().set_index("municipio")
        values = self.wide(municipio).rename_axis(index="anio").stack().rename("valor").reset_index()
        values.insert(0, "municipio", municipio)
        own = indicators(values, table["poblacion"])
        compared = compare_with_peers(own, self.peers, municipio, table.at[municipio, "departamento_codigo"])
        return with_kinds(compared, {municipio: self.last_observed(municipio)}, self.budget_year(municipio))

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every result table by its Spanish name (the sheets of ``nexos proyectar --salida x.xlsx``);
        each one with years says which are observed, estimated or projected (``tipo``)."""
        indicators = pd.concat([self.indicators(code).assign(municipio=code) for code in self.municipios],
                               ignore_index=True)
        return {"proyeccion": self.tidy(), "brechas": self.gaps, "calibracion": self.calibration,
                "espacio_fiscal": self.fiscal_space, "reglas": self.rules, "aporte": self.aporte,
                "endeudamiento": self.borrowing, "supuestos": self.assumptions, "indicadores": indicators,
                "calidad": self.quality,
                **({"percentiles": self.percentiles, "probabilidades": self.probabilities}
                   if self.percentiles is not None else {})}

    def wide(self, municipio: str | int | None = None) -> pd.DataFrame:
        """Observed and projected values as years × concepts for one municipality (cached: views
        and reports ask for it many times; a copy is returned so callers may modify it)."""
        municipio = self.code(municipio)
        if municipio not in self._wide:
            self._wide[municipio] = self._build_wide(municipio)
        return self._wide[municipio].copy()

    def _build_wide(self, municipio: str) -> pd.DataFrame:
        observed = self.annual.loc[self.annual["municipio"] == municipio]
        hist = observed.pivot_table(index="anio", columns="concepto", values="valor", aggfunc="sum")
        hist = catalog.add_totals(hist.reindex(columns=catalog.base_concepts(), fill_value=0.0).fillna(0.0))
        proj = self.projection.loc[self.projection["municipio"] == municipio].pivot(
            index="anio", columns="concepto", values="valor"
        )
        return pd.concat([hist, proj[hist.columns]]).rename_axis(columns="concepto")


def municipio_code(value: str | int) -> str:
    """An INE code as its 4-character text: ``901``, ``'901'`` and ``'0901'`` are all ``'0901'``
    (Papermill's ``-p municipio 0901`` arrives as the number 901; a code is never stored as one)."""
    return str(value).strip().zfill(4)


def resolve_municipios(selection: str | int | Iterable[str | int]) -> list[str]:
    """``'todos'``, ``'0901,1301'``, ``'depto:09'``, a code as a number (``901``) or a list of
    codes -> validated INE codes (an empty selection, such as ``''`` or ``','``, is an error: it
    would run nothing)."""
    given = selection
    table = load_municipalities()
    known = table["municipio"].tolist()
    if isinstance(selection, int):
        selection = [selection]
    if isinstance(selection, str):
        text = selection.strip().lower()
        if text in {"todos", "all"}:
            return known
        if text.startswith("depto:"):
            depto = text.split(":", 1)[1].zfill(2)
            codes = table.loc[table["departamento_codigo"] == depto, "municipio"].tolist()
            if not codes:
                raise NexosError(f"departamento '{depto}' desconocido (se esperaba un código de 01 a 22)")
            return codes
        selection = [s for s in text.split(",") if s.strip()]
    selection = list(selection)
    if not selection:
        raise NexosError(f"no se indicó ningún municipio (valor dado: {shown(given)}; "
                         "se esperaba un código INE como 0901, una lista 0901,1301, depto:09 o todos)")
    codes, errors = [], []
    for item in selection:
        code = municipio_code(item)
        if code in known:
            codes.append(code)
        else:
            hint = difflib.get_close_matches(code, known, n=1)
            tip = f"; ¿quiso decir '{hint[0]}'?" if hint else ""
            errors.append(f"municipio {shown(str(item))} desconocido{tip} (se esperaba un código INE de 4 dígitos; ver `nexos municipios`)")
    if errors:
        raise NexosError(errors)
    return codes


def single_municipio(selection: str | int, what: str) -> str:
    """The one INE code ``selection`` names; a list or a department is a Spanish error saying
    that ``what`` (e.g. 'el reporte') is of a single municipality."""
    codes = resolve_municipios(selection)
    if len(codes) != 1:
        raise NexosError(f"--municipio {selection}: {what} es de un solo municipio (valor dado: {len(codes)} "
                         f"municipios; para varios, use `nexos lote`)")
    return codes[0]


@dataclass(frozen=True)
class PreparedHistory:
    """The history as arrays, cleaned by the diagnostics, with national reference growth."""

    annual: pd.DataFrame
    quality: pd.DataFrame
    municipios: list[str]
    years: np.ndarray
    values: np.ndarray  # (municipios, concepts, years), NaN where missing or excluded
    national_growth: np.ndarray  # (concepts,)
    notes: dict[str, list[str]]
    peers: pd.DataFrame  # indicator medians by department and nationally
    inputs: ProjectionInputs  # all municipalities, for the model core
    aldeas: np.ndarray  # (M,) aldeas y caseríos (estimated where unknown)
    aldeas_estimated: np.ndarray
    contexts: dict = field(default_factory=dict, compare=False)  # last year -> (NationalContext, stream growth)

    def context(self, last_year: int):
        """The national context (art. 119 coupling, national figures) under the default
        parameters through ``last_year`` (:func:`nexos_model.projection.end_year` of a run's
        calendar), cached by it."""
        if last_year not in self.contexts:
            defaults = load_parameters(None, None, {"calendario.anio_presupuesto": int(last_year),
                                                    "calendario.horizonte": 1}).params
            v = Values(defaults)
            growth = core.national_stream_growth(self.inputs, v)
            self.contexts[last_year] = (core.national_context(self.inputs, v, growth, self.aldeas,
                                                              self.aldeas_estimated, national_figures()), growth)
        return self.contexts[last_year]

    def last_observed(self, municipio: str) -> int:
        """The last year with data of ``municipio``."""
        return int(self.inputs.last_observed()[self.municipios.index(municipio)])


def prepare_history(history: pd.DataFrame, measure: str, factor: float, floor: float,
                    exclude_flagged: bool) -> PreparedHistory:
    """Aggregate lines to concepts, diagnose, blank out flagged values, compute national growth.

    The years are every year from the first to the last with data; a municipality whose data end
    earlier (the others, when one has imported recent years) is projected from its own last year.
    """
    years = np.arange(int(history["anio"].min()), int(history["anio"].max()) + 1)
    quality = diagnose(history, years.tolist(), factor, floor, measure)
    annual = annual_values(history, measure)
    concepts = catalog.base_concepts()
    municipios = sorted(annual["municipio"].unique())
    cube = (
        annual.set_index(["municipio", "concepto", "anio"])["valor"]
        .unstack("anio")
        .reindex(pd.MultiIndex.from_product([municipios, concepts]), fill_value=np.nan)
        .reindex(columns=years)
    )
    present = annual.groupby("municipio")["anio"].unique().map(set)
    values = np.array(cube.to_numpy(dtype=float)).reshape(len(municipios), len(concepts), len(years))
    # A concept absent in a year the municipality reported is zero; a year not reported is missing.
    for i, municipio in enumerate(municipios):
        for t, reported in enumerate(years):
            if reported in present[municipio]:
                values[i, :, t] = np.nan_to_num(values[i, :, t], nan=0.0)
    notes: dict[str, list[str]] = {m: [] for m in municipios}
    if exclude_flagged:
        index = {m: i for i, m in enumerate(municipios)}
        cidx = {c: j for j, c in enumerate(concepts)}
        yidx = {int(y): t for t, y in enumerate(years)}
        for municipio, year, concept in sorted(flagged_cells(quality)):
            values[index[municipio], cidx[concept], yidx[year]] = np.nan
        for row in quality.itertuples():
            if row.tipo in EXCLUDING_TYPES:
                notes[row.municipio].append(f"{row.anio}: {row.mensaje}; no se usa para ajustar la tendencia.")
            elif row.tipo == "linea_duplicada":
                notes[row.municipio].append(f"{row.anio}: {row.mensaje}.")
            elif row.tipo == "anio_faltante":
                notes[row.municipio].append(f"{row.mensaje}.")
    growth = trend.national_growth(values, years)
    table = load_municipalities().set_index("municipio")
    peers = peer_medians(indicators(catalog.long_with_totals(annual), table["poblacion"]),
                         table["departamento_codigo"])
    census = table.loc[municipios]
    last_years = np.array([max(present[m]) for m in municipios], dtype=int)
    inputs = ProjectionInputs(tuple(municipios), tuple(concepts), years, values, growth,
                              census["poblacion"].to_numpy(dtype=float), last_years)
    defaults = load_parameters(None, None).params.transfers.aporte
    aldeas, estimated = estimate_aldeas_caserios(census["poblacion_rural"].to_numpy(dtype=float),
                                                 census["poblacion_urbana"].to_numpy(dtype=float),
                                                 defaults.national_aldeas, known_aldeas(municipios))
    return PreparedHistory(annual, quality, municipios, years, values, growth, notes, peers, inputs,
                           aldeas, estimated)


def _municipality_files() -> tuple[tuple[str, int], ...]:
    """The municipality parameter files of every params folder and their modification times (a cache key)."""
    return tuple((f"{f.parent}/{f.stem}", f.stat().st_mtime_ns)
                 for folder in params_folders().chain() for f in sorted((folder / "municipios").glob("*.yaml")))


def known_aldeas(municipios: list[str]) -> np.ndarray:
    """Each municipality's own count of aldeas y caseríos from its parameter file
    (``transferencias.aporte_constitucional.aldeas_caserios``), NaN where none gives it. A file
    that does not validate counts as none here: that municipality's own run reports its errors,
    and the others (which share the art. 119 formula) are not stopped by it."""
    known = np.full(len(municipios), np.nan)
    with_files = {path.rsplit("/", 1)[-1] for path, _ in _municipality_files()}
    for i, code in enumerate(municipios):
        if code in with_files:
            try:
                count = load_parameters(code, None).params.transfers.aporte.municipal_aldeas
            except ParameterError:
                continue
            if count is not None:
                known[i] = count
    return known


def prepared_default(measure: str, factor: float, floor: float, exclude: bool) -> PreparedHistory:
    """The history every face reads with no flag, prepared: the bundled data under the exports
    imported into the store (``nexos datos``). Cached while the store's file and the
    municipalities' parameter files (their aldeas) are unchanged, so an app or a batch worker
    that lives on sees a new import at its next run."""
    path = store_path()
    stat = path.stat() if path.is_file() else None
    state = (str(path.resolve()), stat.st_mtime_ns, stat.st_size) if stat else (str(path), 0, 0)
    return _prepared(measure, factor, floor, exclude, state, _municipality_files())


@lru_cache(maxsize=8)
def _prepared(measure: str, factor: float, floor: float, exclude: bool, store_state: tuple,
              files: tuple) -> PreparedHistory:
    return prepare_history(load_history(), measure, factor, floor, exclude)


def run(
    municipio: str | int | Iterable[str | int] = "0901",
    escenario: str = "base",
    overrides: Mapping[str, Any] | list[str] | None = None,
    datos: str | Path | None = None,
    solo_datos: bool = False,
    simulaciones: int = 0,
    semilla: int = 2026,
    planificar: bool = False,
    cartera: str | Path | None = None,
) -> RunResult:
    """Load, validate and project one municipality (or many: a list, ``'todos'``, ``'depto:09'``).

    ``overrides`` is the top parameter layer: a dict (``{'tendencia.contraccion': 0.3}``) or
    ``--set``-style strings. The history is the bundled data under the exports imported into the
    store (``nexos datos importar``); ``datos`` is a user's SICOIN GL export used on top of them by
    year (or alone with ``solo_datos=True``). Years run from each municipality's last observed
    one through the calendar's last (``calendario``); those before the budget year are
    estimates (``tipo`` estimado). User errors raise ``NexosError`` with
    Spanish messages. ``simulaciones`` > 0 adds Monte Carlo percentiles and event
    probabilities (seeded by ``semilla``) to the deterministic run. ``planificar`` programmes
    the investment portfolio (``cartera``, or ``params/carteras/<código>.*``) into the fiscal
    space and feeds the plan's O&M and new loans back into the projection (``RunResult.plans``).
    """
    codes = resolve_municipios(municipio)
    parameters: dict[str, Resolved] = {}
    errors: list[str] = []
    for code in codes:
        try:
            parameters[code] = load_parameters(code, escenario, overrides)
        except ParameterError as exc:
            errors.extend(m for m in exc.messages if m not in errors)
    if errors:
        raise ParameterError(errors)

    history = load_history(datos, solo_datos)
    source, borrowed = history, 0
    if solo_datos:
        outside = [c for c in codes if c not in set(history["municipio"])]
        if outside:
            raise NexosError(f"--solo-datos: {', '.join(outside)} no está(n) en {datos} (con --solo-datos se "
                             "proyectan solo los municipios del archivo; sin --solo-datos, los datos incluidos "
                             "completan los demás)")
        source, borrowed = with_other_municipalities(history)
    projections, notes, annual, quality = [], {}, [], []
    tables: dict[str, list[pd.DataFrame]] = {k: [] for k in ("gaps", "calibration", "fiscal_space", "rules",
                                                             "aporte", "borrowing", "assumptions")}
    arrays: dict[str, Any] = {}
    plans: dict[str, Any] = {}
    cache: dict[tuple, PreparedHistory] = {}
    for code, resolved in parameters.items():
        p = resolved.params
        key = (p.projection.measure, p.quality.outlier_factor, p.quality.outlier_floor,
               p.quality.flagged_values == "excluir")
        if key not in cache:
            cache[key] = prepared_default(*key) if datos is None else prepare_history(source, *key)
        prepared = cache[key]
        if code not in prepared.municipios:
            raise NexosError(f"municipio {code}: no hay historia de ingresos en los datos")
        check_budget_year(p, code, prepared.last_observed(code))
        ctx, stream_growth = prepared.context(core.end_year(p.calendar))
        v = Values(p)
        inputs = core.subset(prepared.inputs, [code])
        result = core.project_arrays(inputs, v, ctx, stream_growth)
        plan_om = plan_debt = None
        if planificar:
            plan = _plan(code, escenario, resolved, result, prepared, cartera)
            plans[code] = plan
            if plan is not None:
                plan_om, plan_debt = core.plan_effect(plan.efecto, result.years)
                result = core.project_arrays(inputs, v, ctx, stream_growth, plan_om=plan_om, plan_debt=plan_debt)
        arrays[code] = result
        projections.append(core.lines_table(result, escenario))
        assumed = assumptions_table(code, resolved, result, ctx)
        drivers = assumed.loc[assumed["clave"].str.contains(".impulsores.", regex=False)]
        generic = {s: ", ".join(drivers.loc[drivers["flujo"] == s, "clave"]) for s in DRIVER_KEYS}
        tables["assumptions"].append(assumed)
        gaps = core.gaps_table(result)
        gaps["supuesto_generico"] = [bool(generic.get(s)) for s in gaps["flujo"]]
        tables["gaps"].append(gaps)
        calibration = pd.DataFrame(result.streams.calibration, columns=CALIBRATION_COLUMNS)
        calibration["supuesto_generico"] = [bool(generic.get(s)) for s in calibration["flujo"]]
        calibration["reemplazar_con"] = [generic.get(s, "") for s in calibration["flujo"]]
        tables["calibration"].append(calibration)
        tables["fiscal_space"].append(core.space_table(result))
        tables["rules"].append(rules_table(result.fiscal, v, result.years, [code]))
        tables["aporte"].append(core.aporte_table(result))
        tables["borrowing"].append(core.capacity_table(result))
        notes[code] = (prepared.notes[code] + result.fiscal.notes.get(code, []) + _run_notes(result, ctx, code)
                       + lever_notes(result.streams, v, [code])[code])
        if borrowed:
            notes[code].append(f"--solo-datos: la proyección usa solo los años de {datos}; el reparto del art. 119 "
                               f"(aporte constitucional, IVA-PAZ) y las medianas nacionales incluyen a los {borrowed} "
                               "municipios que el archivo no trae, con los datos incluidos.")
        if simulaciones:
            sim = simulate(inputs, p, ctx, stream_growth, simulaciones, semilla, plan_om=plan_om,
                           plan_debt=plan_debt)
            last = {code: prepared.last_observed(code)}
            tables.setdefault("percentiles", []).append(with_kinds(sim.percentiles, last, p.calendar.budget_year))
            tables.setdefault("probabilities", []).append(with_kinds(sim.probabilities, last,
                                                                     p.calendar.budget_year))
        annual.append(prepared.annual.loc[prepared.annual["municipio"] == code])
        quality.append(prepared.quality.loc[prepared.quality["municipio"] == code])

    return RunResult(
        escenario=escenario,
        parameters=parameters,
        history=history.loc[history["municipio"].isin(codes)].reset_index(drop=True),
        annual=pd.concat(annual, ignore_index=True),
        quality=pd.concat(quality, ignore_index=True),
        projection=pd.concat(projections, ignore_index=True)[RESULT_COLUMNS],
        notes=notes,
        peers=next(iter(cache.values())).peers,
        **{k: pd.concat(v, ignore_index=True) for k, v in tables.items()},
        arrays=arrays,
        simulations=simulaciones,
        seed=semilla if simulaciones else None,
        plans=plans,
        data_digest=history_digest(datos, solo_datos),
        loaded={c: y for c, y in loaded_years(datos, solo_datos).items() if c in codes},
    )


def check_budget_year(params, municipio: str, last_observed: int) -> None:
    """The budget being prepared must come after the municipality's last year with data."""
    budget = params.calendar.budget_year
    if budget <= last_observed:
        raise ParameterError(f"calendario.anio_presupuesto: el municipio {municipio} ya tiene datos observados "
                             f"hasta {last_observed} (valor dado: {budget}; se esperaba: un año posterior a "
                             f"{last_observed}, el del presupuesto que se prepara)")


def _plan(code: str, escenario: str, resolved: Resolved, arrays, prepared, cartera):
    """The investment plan on the run's fiscal space (before the plan), or None with a note."""
    draft = RunResult(escenario=escenario, parameters={code: resolved}, history=pd.DataFrame(),
                      annual=prepared.annual.loc[prepared.annual["municipio"] == code], quality=pd.DataFrame(),
                      projection=core.lines_table(arrays, escenario), fiscal_space=core.space_table(arrays),
                      borrowing=core.capacity_table(arrays), arrays={code: arrays}, peers=prepared.peers)
    return plan_for_run(draft, code, cartera)


def plan_for_run(result: RunResult, municipio: str | int | None = None,
                 cartera: str | Path | None = None) -> InvestmentPlan:
    """The investment plan of one municipality of a run, from its fiscal space and parameters.

    ``cartera``: a portfolio file; by default ``params/carteras/<código>.yaml|yml|csv|xlsx``,
    else an ILLUSTRATIVE portfolio sized at 1.5 times the plan's fiscal space, with the sector
    mix of the municipality's spending (flagged in ``avisos``). The plan's ``efecto`` table (O&M
    and new debt service by year) is what the projection's spending must add.
    """
    code = result.code(municipio)
    params = result.parameters[code].params
    space, capacity, terms = run_space(result, code)
    years = plan_years(params.calendar, space["anio"].unique())
    path = Path(cartera) if cartera is not None else find_portfolio(code, params_folders().chain())
    if path is None:
        projects = illustrative_portfolio_for(code, years, illustrative_budget(years, space, capacity))
    else:
        projects = load_portfolio(path)
    return plan_for_space(projects, None if path is None else str(path), params, years, space, capacity, terms,
                          code, result.escenario)


CALIBRATION_COLUMNS = ["municipio", "flujo", "impulsor", "valor", "valor_implicito", "escala_base", "fuera_de_rango",
                       "base_conocida", "calibrable", "motivo", "nota"]
ASSUMPTION_COLUMNS = ["municipio", "tema", "flujo", "clave", "valor", "origen", "afecta", "reemplazar_en"]
GENERIC = "supuesto genérico"


def assumptions_table(code: str, resolved: Resolved, arrays: core.ModelArrays, ctx) -> pd.DataFrame:
    """Every number of the run that rests on national benchmark defaults instead of the
    municipality's own data, with the key of its parameter file that replaces it: the drivers of
    the IUSI, water and ornato potentials, the split of a MINFIN sección among streams, the
    aldea count of the art. 119 formula, the operating spending of the base year.

    Columns ``municipio, tema, flujo, clave, valor, origen, afecta, reemplazar_en``; ``origen``
    is always "supuesto genérico" (a key the municipality's file sets is its own data and is not
    listed).
    """
    p = resolved.params
    where = f"params/municipios/{code}.yaml"
    rows = []

    def add(tema, flujo, clave, valor, afecta):
        rows.append({"municipio": code, "tema": tema, "flujo": flujo, "clave": clave, "valor": valor,
                     "origen": GENERIC, "afecta": afecta, "reemplazar_en": where})

    streams = arrays.streams
    for stream, method in zip(streams.names, streams.methods):
        if method == "impulsores" and stream in DRIVER_KEYS:
            label = catalog.label(stream)
            for key in DRIVER_KEYS[stream]:
                if resolved.from_defaults(key):
                    value = lookup(p, key)
                    add(f"Potencial: {label}", stream, key, "sin dato (se estima de la población)"
                        if value is None else str(value), f"potencial, brecha y reformas de {label}")
        shares = p.own_revenue.streams[stream].concepts
        key = f"ingresos_propios.flujos.{stream}.conceptos"
        if any(f < 1 for f in shares.values()) and resolved.from_defaults(key):
            parts = ", ".join(f"{f:.0%} de {catalog.label(c).lower()}".replace("%", " %") for c, f in shares.items())
            add(f"Reparto de la sección: {catalog.label(stream)}", stream, key, parts,
                f"{catalog.label(stream)}: la sección del MINFIN no distingue sus rubros")
    row = ctx.rows([code])[0]
    if ctx.aldeas_estimated[row]:
        add("Aldeas y caseríos", "", "transferencias.aporte_constitucional.aldeas_caserios",
            f"{int(ctx.aldeas[row])} (del total nacional por población rural)", "10 % del aporte constitucional")
    if p.spending.operating.base_amount is None:
        add("Gasto de funcionamiento del año base", "", "gasto.funcionamiento.monto_base",
            f"{p.spending.operating.own_share:.0%} de los ingresos propios más el {p.rules.aporte_operating_max:.0%} "
            f"del aporte y el {p.rules.iva_paz_operating_max:.0%} del IVA-PAZ".replace("%", " %"),
            "gasto de funcionamiento, espacio de libre uso y reglas del aporte y del IVA-PAZ")
    return pd.DataFrame(rows, columns=ASSUMPTION_COLUMNS)


def _run_notes(result: core.ModelArrays, ctx, code: str) -> list[str]:
    """Spanish notes on estimates the run had to make for this municipality."""
    notes = []
    row = ctx.rows([code])[0]
    if ctx.aldeas_estimated[row]:
        notes.append(f"Aldeas y caseríos estimados en {int(ctx.aldeas[row])} (supuesto genérico: sin dato del "
                     f"municipio se reparte el total nacional por población rural; dé "
                     f"transferencias.aporte_constitucional.aldeas_caserios en params/municipios/{code}.yaml); "
                     f"afecta el 10 % del aporte constitucional.")
    for row in result.streams.calibration:
        if row["nota"] and row["municipio"] == code:
            notes.append(f"{catalog.label(row['flujo'])}: {row['nota']}.")
    return notes
