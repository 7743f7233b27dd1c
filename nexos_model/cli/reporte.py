"""``nexos reporte``: the council report of one municipality and scenario (HTML, PDF, Excel)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from nexos_model.api import single_municipio
from nexos_model.cli.flags import assignment, listed, municipality, output, scenario
from nexos_model.io.files import check_output
from nexos_model.params.loader import assignments
from nexos_model.report.render import FORMATS, render_report

__all__ = ["add_parser"]


def _command_reporte(args: argparse.Namespace) -> int:
    code = single_municipio(args.municipio, "el reporte")
    check_output(args.salida, folder=True)
    paths = render_report(code, args.escenario, args.formato, Path(args.salida),
                          overrides=assignments(args.set))
    print(f"Reporte de {code}, escenario '{args.escenario}':")
    for kind, path in paths.items():
        print(f"  {kind}: {path}")
    return 0


def add_parser(subparsers: Any, help: str) -> argparse.ArgumentParser:
    """Add ``nexos reporte`` to the ``nexos`` command's subparsers; returns its parser."""
    p = subparsers.add_parser(
        "reporte", help=help,
        description="Ejecuta el cuaderno del reporte para un municipio y un escenario y escribe en la "
                    "carpeta de salida: workbook.ipynb, reporte.html, reporte.pdf y proyeccion.xlsx "
                    "(según --formato). El PDF requiere chromium (scripts/install-system.sh).")
    p.add_argument("--municipio", required=True, metavar="CÓDIGO", type=municipality,
                   help="código INE del municipio (p. ej. 0901)")
    p.add_argument("--escenario", default="base", metavar="NOMBRE", type=scenario, help="escenario (por defecto: base)")
    p.add_argument("--formato", default="html,pdf,xlsx", metavar="LISTA", type=listed(FORMATS, "formatos"),
                   help="formatos separados por comas: html, pdf, xlsx (por defecto: los tres)")
    p.add_argument("--set", action="append", metavar="CLAVE=VALOR", type=assignment,
                   help="ajuste de un parámetro, p. ej. --set tendencia.contraccion=0.3 (repetible)")
    p.add_argument("--salida", required=True, metavar="CARPETA", type=output,
                   help="carpeta donde se escriben los archivos")
    p.set_defaults(func=_command_reporte)
    return p
