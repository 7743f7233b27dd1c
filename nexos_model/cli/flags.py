"""Flags several ``nexos`` commands share, and the checks of argument values.

Every value a user types is checked by argparse before any work (a ``type=`` below): a wrong one
ends the command with status 2 and a Spanish message saying which flag, the value given and what
was expected, instead of a traceback minutes later.
"""

from __future__ import annotations

import argparse
import math
import re
from collections.abc import Callable

from nexos_model.errors import NexosError
from nexos_model.params.loader import parse_assignment

#: Most Monte Carlo simulations or Sobol samples a command accepts (memory grows with them).
MAX_DRAWS = 100_000
#: Years a plan, a loan or an allocation may name.
YEARS = (2000, 2100)


def integer(low: int, high: int, what: str = "un número entero") -> Callable[[str], int]:
    """An argparse type: an integer between ``low`` and ``high``."""
    def check(text: str) -> int:
        value = None
        if re.fullmatch(r"\s*[-+]?\d{1,20}\s*", text):
            value = int(text)
        if value is None or not low <= value <= high:
            raise argparse.ArgumentTypeError(f"valor no válido '{text[:40]}' (se esperaba {what} entre {low} y {high})")
        return value
    check.__name__ = "entero"
    return check


def number(low: float, high: float, what: str = "un número", low_open: bool = False) -> Callable[[str], float]:
    """An argparse type: a finite number in ``[low, high]`` (``(low, high]`` with ``low_open``)."""
    def check(text: str) -> float:
        try:
            value = float(text.replace(",", "")) if len(text) <= 40 else math.nan
        except ValueError:
            value = math.nan
        inside = math.isfinite(value) and (value > low if low_open else value >= low) and value <= high
        if not inside:
            bound = "mayor que" if low_open else "de"
            raise argparse.ArgumentTypeError(
                f"valor no válido '{text[:40]}' (se esperaba {what} {bound} {_shown(low)} hasta {_shown(high)})")
        return value
    check.__name__ = "número"
    return check


def numbers(low: float, high: float, what: str) -> Callable[[str], list[float]]:
    """An argparse type: one or more numbers in ``(low, high]`` separated by commas (``0.4,0.45``)."""
    def check(text: str) -> list[float]:
        values = []
        for part in text.split(",") if len(text) <= 400 else ["x"]:
            try:
                values.append(float(part) if part.strip() else math.nan)
            except ValueError:
                values.append(math.nan)
        if not all(math.isfinite(v) and low < v <= high for v in values):
            raise argparse.ArgumentTypeError(
                f"valor no válido '{text[:40]}' (se esperaban {what} mayores que {_shown(low)} y hasta "
                f"{_shown(high)}, separados por comas, p. ej. 0.4,0.45,0.5)")
        return values
    check.__name__ = "números"
    return check


def _shown(x: float) -> str:
    return f"{int(x):,}" if float(x).is_integer() else f"{x:g}"


def text(what: str) -> Callable[[str], str]:
    """An argparse type: a non-empty text of a reasonable length (a code, a list, a name)."""
    def check(value: str) -> str:
        if not value.strip() or len(value) > 4000:
            raise argparse.ArgumentTypeError(f"valor no válido '{value[:40]}' (se esperaba {what})")
        return value
    check.__name__ = "texto"
    return check


def listed(allowed: tuple[str, ...] | list[str], what: str) -> Callable[[str], str]:
    """An argparse type: a comma-separated list of some of ``allowed`` (e.g. ``html,pdf``)."""
    def check(value: str) -> str:
        chosen = [v.strip().lower().lstrip(".") for v in value.split(",") if v.strip()]
        unknown = [v for v in chosen if v not in allowed]
        if unknown or not chosen:
            raise argparse.ArgumentTypeError(
                f"valor no válido '{value[:40]}' (se esperaba {what}: uno o varios de {', '.join(allowed)}, "
                "separados por comas)")
        return value
    check.__name__ = "lista"
    return check


def assignment(value: str) -> str:
    """An argparse type for ``--set clave.sub=valor``: its form and its YAML value read now
    (bounded, Spanish), so a typo ends the command before any work."""
    try:
        parse_assignment(value)
    except NexosError as exc:
        raise argparse.ArgumentTypeError("; ".join(exc.messages)) from None
    return value


#: ``--simulaciones``, ``--sobol``: how many draws.
draws = integer(0, MAX_DRAWS, "un número de simulaciones")
#: ``--semilla``: numpy's seeds are non-negative.
seed = integer(0, 2**32 - 1, "una semilla")
#: ``--anio``, ``--hasta``.
year = integer(*YEARS, "un año")
#: ``--municipio``.
municipality = text("un código INE (p. ej. 0901), una lista 0901,1301, depto:DD o 'todos'")
#: ``--escenario``.
scenario = text("un nombre de escenario, p. ej. base")
#: ``--salida``.
output = text("un nombre de archivo o carpeta")
#: ``--datos``, ``--cartera``.
input_file = text("un archivo")
#: ``nexos init CARPETA``, ``nexos cuadernos --carpeta``.
folder = text("el nombre de una carpeta")


def data_flags(p: argparse.ArgumentParser) -> None:
    """``--datos`` and ``--solo-datos``: a user's export on top of (or instead of) the bundled data."""
    p.add_argument("--datos", metavar="ARCHIVO", type=input_file,
                   help="exportación de SICOIN GL / Portal de Gobiernos Locales (CSV o XLSX) "
                        "que reemplaza, por año, los datos incluidos")
    p.add_argument("--solo-datos", action="store_true",
                   help="usar solo el archivo de --datos para sus municipios (sin los años de los datos "
                        "incluidos); el art. 119 reparte entre todos: los demás municipios salen de los datos "
                        "incluidos")
