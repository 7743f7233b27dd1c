"""``nexos lote``: council reports for many municipalities and scenarios at once."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Any

from nexos_model.batch.runner import run_batch
from nexos_model.cli.flags import assignment, integer, listed, municipality, output, text
from nexos_model.io.files import check_output
from nexos_model.params.loader import assignments
from nexos_model.report.render import FORMATS, parse_formats

__all__ = ["add_parser"]


def _scheduler(value: str) -> str:
    """``--planificador``: a Dask scheduler address, ``tcp://host:port`` (or ``host:port``)."""
    if not re.fullmatch(r"(?:(?:tcp|tls|ucx|inproc)://)?[\w.\-\[\]:]+:\d{1,5}/?", value.strip()):
        raise argparse.ArgumentTypeError(
            f"valor no válido '{value[:40]}' (se esperaba la dirección de un planificador Dask, "
            "p. ej. tcp://10.0.0.5:8786)")
    return value.strip()


def _command_lote(args: argparse.Namespace) -> int:
    check_output(args.salida, folder=True)
    result = run_batch(args.municipios, args.escenarios, Path(args.salida), parse_formats(args.formato),
                       workers=args.trabajos, engine=args.motor, scheduler=args.planificador,
                       isolated=args.aislado, force=args.forzar, overrides=assignments(args.set),
                       recycle_every=args.reciclar, progress=not args.sin_progreso)
    done, skipped, failed = result.count("done"), result.count("skipped"), len(result.failed)
    print(f"Lote en {result.out_dir}: {done} completados, {skipped} al día (omitidos), "
          f"{failed} con falla, en {result.seconds:.1f} s")
    for path in result.paths.values():
        print(f"  {path}")
    for o in result.failed:
        print(f"falla {o.municipio}/{o.escenario} ({o.step}): {o.reason}", file=sys.stderr)
    if result.interrupted:
        pending = result.count("pending")
        print(f"interrumpido: {pending} pendientes; ningún archivo quedó a medio escribir. "
              "Vuelva a ejecutar el mismo comando para continuar.", file=sys.stderr)
        return 130
    return 1 if failed else 0


def add_parser(subparsers: Any, help: str) -> argparse.ArgumentParser:
    """Add ``nexos lote`` to the ``nexos`` command's subparsers; returns its parser."""
    p = subparsers.add_parser(
        "lote", help=help,
        description="Ejecuta el cuaderno del reporte para cada municipio y escenario, en paralelo, y "
                    "escribe en SALIDA/<código>/<escenario>/ el cuaderno ejecutado (workbook.ipynb), "
                    "reporte.html, reporte.pdf y proyeccion.xlsx según --formato; además "
                    "SALIDA/resumen.csv y .xlsx (una fila por municipio y escenario) y "
                    "SALIDA/fallas.csv (qué falló y por qué). Al repetir el comando se omite todo lo "
                    "que ya está al día (mismos parámetros, datos, versión y cuaderno). Termina con "
                    "estado 1 si algún municipio falló.")
    p.add_argument("--municipios", required=True, metavar="LISTA", type=municipality,
                   help="'todos', códigos INE separados por comas (0901,1301) o depto:DD")
    p.add_argument("--escenarios", default="base", metavar="LISTA", type=text("escenarios separados por comas"),
                   help="escenarios separados por comas (por defecto: base)")
    p.add_argument("--salida", required=True, metavar="CARPETA", type=output, help="carpeta de resultados")
    p.add_argument("--formato", default="html,xlsx", metavar="LISTA", type=listed(FORMATS, "formatos"),
                   help="html, pdf, xlsx separados por comas (por defecto: html,xlsx; el PDF requiere chromium)")
    p.add_argument("--trabajos", type=integer(1, 256, "un número de trabajos"), metavar="N",
                   help="trabajos en paralelo (por defecto: los núcleos del equipo)")
    p.add_argument("--motor", choices=["local", "dask"], default="local",
                   help="local: procesos de este equipo (por defecto); dask: un clúster Dask")
    p.add_argument("--planificador", metavar="DIRECCIÓN", type=_scheduler,
                   help="dirección de un planificador Dask existente, p. ej. tcp://10.0.0.5:8786 "
                        "(implica --motor dask; si falta, --motor dask inicia un clúster local)")
    p.add_argument("--aislado", action="store_true",
                   help="un kernel nuevo para cada cuaderno (más lento; nada pasa de un municipio a otro)")
    p.add_argument("--reciclar", type=integer(1, 100_000, "un número de cuadernos"), default=100, metavar="N",
                   help="reemplazar el kernel de cada trabajador cada N cuadernos (por defecto: 100)")
    p.add_argument("--forzar", action="store_true", help="rehacer todo, aunque esté al día")
    p.add_argument("--set", action="append", metavar="CLAVE=VALOR", type=assignment,
                   help="ajuste de un parámetro para todos, p. ej. --set tendencia.contraccion=0.3 (repetible)")
    p.add_argument("--sin-progreso", action="store_true", help="no mostrar la barra de progreso")
    p.set_defaults(func=_command_lote)
    return p
