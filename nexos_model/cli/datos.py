"""``nexos datos``: the local store of imported SICOIN GL exports (list, import, remove)."""

from __future__ import annotations

import argparse
from typing import Any

from nexos_model.api import resolve_municipios
from nexos_model.errors import NexosError
from nexos_model.io.bundled import load_municipalities
from nexos_model.io.store import import_exports, listing, remove, store_path
from nexos_model.params.calendar_schema import reference_date
from nexos_model.wording import anios_texto

__all__ = ["add_parser"]


def _names() -> dict[str, str]:
    table = load_municipalities()
    return dict(zip(table["municipio"], table["nombre"]))


def _command_listar(args: argparse.Namespace) -> int:
    table = listing()
    path = store_path()
    if table.empty:
        print(f"No hay datos importados en {path}. Los reportes usan los datos incluidos (2016-2019); para "
              f"cargar años recientes: nexos datos importar ARCHIVO (exportación de SICOIN GL).")
        return 0
    names = _names()
    print(f"Datos importados en {path} (se usan sobre los datos incluidos, por municipio y año):")
    for row in table.itertuples():
        print(f"  {row.municipio} {names.get(row.municipio, '')}: {row.anios}  archivo {row.archivo}, "
              f"importado {row.importado.replace('T', ' ')}, huella {row.huella} ({row.filas} filas)")
    return 0


def _command_importar(args: argparse.Namespace) -> int:
    report = import_exports(args.archivos)
    names = _names()
    this_year = reference_date().year
    print(f"Importado en {store_path()}:")
    for item in report:
        print(f"  {item.archivo} (huella {item.huella}):")
        for code, years in item.municipios.items():
            again = item.replaced.get(code)
            note = f" (reemplaza lo importado antes de {anios_texto(again)})" if again else ""
            print(f"    {code} {names.get(code, '')}: {anios_texto(years)}{note}")
            open_years = [y for y in years if y >= this_year]
            if open_years:
                print(f"    aviso: {anios_texto(open_years)} no ha cerrado: su ejecución puede estar incompleta y "
                      f"se tomará como observada")
    print("Estos años son ahora datos observados en nexos proyectar, reporte, lote, planificar y la app; "
          "los años entre el último importado y el del presupuesto se estiman.")
    return 0


def _command_quitar(args: argparse.Namespace) -> int:
    code = resolve_municipios(args.municipio)
    if len(code) != 1:
        raise NexosError(f"--municipio {args.municipio}: se quita un municipio a la vez (valor dado: "
                         f"{len(code)} municipios)")
    removed = remove(code[0], args.anio)
    years = anios_texto(removed["anio"].astype(int))
    print(f"Quitados de {store_path()}: {code[0]} {_names().get(code[0], '')}, {years} ({len(removed)} filas); "
          f"esos años vuelven a los datos incluidos o a la estimación.")
    return 0


def add_parser(subparsers: Any, help: str) -> argparse.ArgumentParser:
    """Add ``nexos datos`` to the ``nexos`` command's subparsers; returns its parser."""
    p = subparsers.add_parser(
        "datos", help=help,
        description="Datos de ejecución importados de SICOIN GL o del Portal de Gobiernos Locales: se guardan "
                    "una vez en la carpeta NEXOS_DATOS (por defecto datos/ en la carpeta de trabajo) y todos "
                    "los comandos, los cuadernos y la app los usan sin más. Sin subcomando, los lista.")
    p.set_defaults(func=_command_listar)
    sub = p.add_subparsers(dest="accion", metavar="ACCIÓN", title="acciones")
    imp = sub.add_parser("importar", help="importa una o más exportaciones (CSV o XLSX), todas o ninguna",
                         description="Lee cada archivo y, si todos están bien, guarda sus años en el almacén "
                                     "(un año ya importado se reemplaza). Si uno tiene errores, los lista todos y "
                                     "no cambia nada.")
    imp.add_argument("archivos", nargs="+", metavar="ARCHIVO", help="exportación de SICOIN GL (CSV o XLSX)")
    imp.set_defaults(func=_command_importar)
    rm = sub.add_parser("quitar", help="quita los años importados de un municipio",
                        description="Quita del almacén los años importados de un municipio (todos, o uno con --anio).")
    rm.add_argument("--municipio", required=True, metavar="CÓDIGO", help="código INE, p. ej. 1301")
    rm.add_argument("--anio", type=int, metavar="AÑO", help="solo este año (por defecto, todos los importados)")
    rm.set_defaults(func=_command_quitar)
    lst = sub.add_parser("listar", help="lista lo importado (lo mismo que nexos datos)")
    lst.set_defaults(func=_command_listar)
    return p
