"""Finding a municipality from what the advisor types, without any widget.

The search box accepts a code (``1301``, ``901``), a name or the start of one, with or without
accents and capitals (``huehue``, ``San Jose``), or the list's own label. :func:`find` returns
every match, so the app can open the one match, narrow the list to several, or say in Spanish
that nothing matches (:func:`search_message`).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from nexos_model.io.bundled import load_municipalities


def _fold(text: str) -> str:
    """Lower case without accents: what two spellings of a name have in common."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower().strip()


@dataclass(frozen=True)
class Place:
    code: str
    name: str
    department: str
    department_code: str

    @property
    def label(self) -> str:
        """How the list shows it: ``1301 · Huehuetenango (Huehuetenango)``."""
        return f"{self.code} · {self.name} ({self.department})"


@lru_cache(maxsize=1)
def places() -> tuple[Place, ...]:
    table = load_municipalities()
    return tuple(Place(r.municipio, r.nombre, r.departamento, r.departamento_codigo) for r in table.itertuples())


def find(text: str) -> list[Place]:
    """The municipalities ``text`` names: its label, its code, its exact name, else every name
    that starts with (or, failing that, contains) the text."""
    typed = (text or "").strip()
    if not typed:
        return []
    everything = places()
    by_label = [p for p in everything if p.label == typed]
    if by_label:
        return by_label
    digits = typed.split("·")[0].strip()
    if digits.isdigit():
        return [p for p in everything if p.code == digits.zfill(4)]
    folded = _fold(typed)
    exact = [p for p in everything if _fold(p.name) == folded]
    if exact:
        return exact
    starts = [p for p in everything if _fold(p.name).startswith(folded)]
    return starts or [p for p in everything if folded in _fold(p.name)]


def search_message(text: str, found: list[Place]) -> str:
    """What the app says when ``text`` does not name exactly one municipality."""
    typed = (text or "").strip()
    if not found:
        if typed.split("·")[0].strip().isdigit():
            return (f"No hay un municipio con el código {typed}: los códigos INE tienen 4 cifras, las dos primeras "
                    f"del departamento (p. ej. 0901 Quetzaltenango, 1301 Huehuetenango).")
        return (f"No se encontró el municipio «{typed}»: escriba su código INE (p. ej. 0901) o el comienzo de su "
                f"nombre oficial, y elija en la lista.")
    names = ", ".join(f"{p.name} ({p.department})" for p in found[:6]) + (" …" if len(found) > 6 else "")
    return f"«{typed}» coincide con {len(found)} municipios: {names}. Elija uno en la lista."
