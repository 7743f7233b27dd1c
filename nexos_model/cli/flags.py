"""Flags several ``nexos`` commands share."""

from __future__ import annotations

import argparse


def data_flags(p: argparse.ArgumentParser) -> None:
    """``--datos`` and ``--solo-datos``: a user's export on top of (or instead of) the bundled data."""
    p.add_argument("--datos", metavar="ARCHIVO",
                   help="exportación de SICOIN GL / Portal de Gobiernos Locales (CSV o XLSX) "
                        "que reemplaza, por año, los datos incluidos")
    p.add_argument("--solo-datos", action="store_true",
                   help="usar solo el archivo de --datos, sin los datos incluidos")
