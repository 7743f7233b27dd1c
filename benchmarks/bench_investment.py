"""Benchmark: optimal investment programme (MILP) for 200 projects × 10 years vs ranked fill.

Run: ``python benchmarks/bench_investment.py [--proyectos 200] [--anios 10] [--semilla 7]``
(``make bench`` runs it with the defaults).
The portfolio is synthetic (seeded), with dependencies, exclusive pairs, mandatory
projects, O&M and funding-source restrictions; the fiscal space is about 35 % of the
portfolio's cost over the horizon, and INFOM borrowing is new-loan capacity repaid over 3
years, so loans of nearby years share the debt-service room. Every programme is checked
against every rule (``plan_violations``) before its figures are printed.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

from nexos_model.investment.inputs import ProgrammeOptions
from nexos_model.investment.project import FUENTES, Project
from nexos_model.investment.optimize import optimal_programme
from nexos_model.investment.verify import plan_violations
from nexos_model.investment.ranked import ranked_fill
from nexos_model.investment.borrowing import NewBorrowing
from nexos_model.wording import quetzales

SECTORS = ("agua", "saneamiento", "desechos", "transporte", "urbanizacion", "educacion", "salud")


def synthetic_case(n_projects: int, n_years: int, seed: int):
    rng = np.random.default_rng(seed)
    years = list(range(2026, 2026 + n_years))
    items = []
    for i in range(n_projects):
        duration = int(rng.integers(1, 4))
        latest = years[-1] - duration + 1
        lo = int(rng.integers(years[0], latest + 1))
        hi = int(rng.integers(lo, latest + 1))
        cost = float(np.round(rng.lognormal(np.log(2e6), 0.8), -3))
        sources = list(rng.choice(FUENTES, size=int(rng.integers(1, 4)), replace=False))
        items.append(
            dict(
                nombre=f"Proyecto {i:03d}",
                sector=str(rng.choice(SECTORS)),
                costo_total=cost,
                duracion=duration,
                inicio_minimo=lo,
                inicio_maximo=hi,
                costo_operacion_anual=round(cost * float(rng.uniform(0.02, 0.05))),
                beneficiarios=int(rng.integers(200, 20000)),
                alineacion=int(rng.integers(0, 6)),
                fuentes=sources,
            )
        )
    # 20 dependencies (B after A), 15 exclusive pairs, 3 mandatory projects
    for j in range(20):
        a, b = 2 * j, 2 * j + 1
        items[a]["inicio_minimo"] = years[0]
        items[a]["inicio_maximo"] = years[0] + 2
        items[b]["inicio_minimo"] = years[0] + items[a]["duracion"]
        items[b]["inicio_maximo"] = years[-1] - items[b]["duracion"] + 1
        items[b]["depende_de"] = [items[a]["nombre"]]
    for j in range(15):
        items[50 + 2 * j]["grupo_exclusivo"] = f"sitio_{j}"
        items[51 + 2 * j]["grupo_exclusivo"] = f"sitio_{j}"
    for j in (100, 101, 102):
        items[j].update(obligatorio=True, inicio_minimo=years[0], inicio_maximo=years[-1] - items[j]["duracion"] + 1,
                        costo_total=float(np.round(items[j]["costo_total"] / 4, -3)), fuentes=["aporte_constitucional", "propios"])
        items[j]["costo_operacion_anual"] = round(items[j]["costo_total"] * 0.03)
    projects = [Project(**item) for item in items]
    total = sum(p.total_cost for p in projects)
    share = {"codede": 0.25, "iva_paz": 0.15, "aporte_constitucional": 0.35, "prestamo_infom": 0.10, "propios": 0.15}
    space = {
        k: [0.35 * total * share[k] / n_years * float(rng.uniform(0.8, 1.2)) for _ in years]
        for k in FUENTES
    }
    borrowing = NewBorrowing({y: space["prestamo_infom"][j] for j, y in enumerate(years)}, {y: 3 for y in years})
    return projects, space, years, borrowing


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--proyectos", type=int, default=200)
    parser.add_argument("--anios", type=int, default=10)
    parser.add_argument("--semilla", type=int, default=7)
    parser.add_argument("--tiempo-limite", type=float, default=120.0)
    parser.add_argument("--brecha", type=float, default=1e-4,
                        help="brecha de optimalidad relativa a la que el MILP se detiene (por defecto 0.01 %%)")
    args = parser.parse_args(argv)
    projects, space, years, borrowing = synthetic_case(args.proyectos, args.anios, args.semilla)
    t0, c0 = time.perf_counter(), time.process_time()
    options = ProgrammeOptions(time_limit=args.tiempo_limite, gap=args.brecha, borrowing=borrowing)
    best = optimal_programme(projects, space, years, options)
    t_opt, c_opt = time.perf_counter() - t0, time.process_time() - c0
    t0 = time.perf_counter()
    ranked = ranked_fill(projects, space, years, ProgrammeOptions(borrowing=borrowing))
    t_fill = time.perf_counter() - t0
    for programme in (best, ranked):
        problems = plan_violations(programme, projects, space, years, ProgrammeOptions(borrowing=borrowing))
        if problems:
            raise SystemExit("programa inválido: " + "; ".join(problems[:5]))
    gain = 100.0 * (best.objetivo / ranked.objetivo - 1.0)
    print(f"cartera: {len(projects)} proyectos × {len(years)} años ({years[0]}-{years[-1]}); "
          f"todas las reglas verificadas en ambos programas")
    print(f"óptimo (MILP): estado {best.estado}, {best.segundos:.2f} s de solución, {t_opt:.2f} s en total "
          f"({c_opt:.2f} s de CPU), brecha de optimalidad {best.brecha_mip:.2e}")
    print(f"  proyectos: {len(best.cronograma)}, puntaje total {best.puntaje_total:.4f}, "
          f"inversión {quetzales(best.cronograma['costo_total'].sum(), 0)}")
    print(f"orden de puntaje: {t_fill:.3f} s; proyectos: {len(ranked.cronograma)}, "
          f"puntaje total {ranked.puntaje_total:.4f}, "
          f"inversión {quetzales(ranked.cronograma['costo_total'].sum(), 0)}")
    if ranked.avisos:
        print("  avisos del orden de puntaje: " + "; ".join(ranked.avisos))
    print(f"ganancia del óptimo sobre el orden de puntaje: {gain:.1f} %")
    print(f"carga media del sistema al terminar: {os.getloadavg()[0]:.1f} en {os.cpu_count()} núcleos "
          "(con otra carga, HiGHS usa más tiempo de reloj)")


if __name__ == "__main__":
    main()
