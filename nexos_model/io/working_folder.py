"""A user's working folder (``nexos init CARPETA``): the user's own parameters beside editable
copies of what Nexos ships.

```
CARPETA/
  LEEME.md                      what goes where, and the commands to run from here
  params/defaults.yaml          the user's defaults, layered over Nexos's (a guide: nothing set yet)
  params/esquema_*.json         the JSON Schemas an editor validates the YAML files with
  params/escenarios/*.yaml      copies of the packaged scenarios: edit them or start new ones
  params/municipios/LEEME.md    guide: a municipality's own values (cadastre, tariffs, results)
  params/carteras/LEEME.md      guide: a municipality's investment portfolio
  workbooks/*.ipynb             the workbooks, for JupyterLab (``nexos cuadernos``) and Papermill
  datos/                        the user's data exports (SICOIN GL, Portal de Gobiernos Locales)
```

Run from ``CARPETA``, every command reads ``./params`` over the packaged defaults
(:class:`nexos_model.params.loader.ParamFolders`). A file that already exists is never
overwritten, so running ``nexos init`` again only adds what is missing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from nexos_model.errors import NexosError
from nexos_model.io.bundled import WORKBOOKS_DIR
from nexos_model.io.files import atomic_path, write_text
from nexos_model.params.loader import PACKAGED_PARAMS, PACKAGED_PREFIX

__all__ = ["Created", "create_working_folder"]

#: Copied from the packaged parameters, as they are.
COPIED = ("esquema_parametros.json", "esquema_cartera.json", "escenarios/*.yaml", "municipios/LEEME.md",
          "carteras/LEEME.md")

DEFAULTS_GUIDE = f"""\
# yaml-language-server: $schema=esquema_parametros.json
# Sus valores por defecto: valen para todos los municipios y escenarios, encima de los de Nexos
# ({PACKAGED_PREFIX}defaults.yaml; `nexos info` dice dónde está). Escriba solo lo que cambia,
# p. ej. (quite el # de las líneas que quiera usar):
#
# macro:
#   inflacion: 0.045        # o por año: {{2027: 0.05, 2028: 0.045}}
# calendario:
#   horizonte: 8            # años proyectados desde el año del presupuesto
#
# Revise el archivo con `nexos validar params/defaults.yaml`.
"""

README = """\
# Carpeta de trabajo de Nexos

Los comandos `nexos` que se ejecutan desde esta carpeta leen sus parámetros de `params/`, encima
de los valores por defecto de Nexos (`nexos info` muestra las carpetas en uso).

| carpeta | qué guarda |
|---|---|
| `params/defaults.yaml` | sus valores por defecto, solo lo que cambia respecto de Nexos |
| `params/escenarios/` | escenarios (copias de los de Nexos: edítelas o agregue otros, p. ej. `mi_escenario.yaml`) |
| `params/municipios/<código>.yaml` | lo que se sabe de un municipio (ver `params/municipios/LEEME.md`) |
| `params/carteras/<código>.yaml` | la cartera de proyectos de un municipio (ver `params/carteras/LEEME.md`) |
| `workbooks/` | los cuadernos: `nexos cuadernos` los abre en JupyterLab |
| `datos/` | sus exportaciones de SICOIN GL o del Portal de Gobiernos Locales |

```bash
nexos proyectar --municipio 0901 --escenario mi_escenario --salida proyeccion.xlsx
nexos reporte --municipio 0901 --formato html,pdf --salida reportes/0901
nexos lote --municipios 0901,1301 --escenarios base,mi_escenario --salida lote
papermill workbooks/01_diagnostico.ipynb diagnostico_1301.ipynb -p municipio 1301 -p escenario base
```
"""


@dataclass(frozen=True)
class Created:
    """One path of the working folder and whether this run created it (False: it was there)."""

    path: Path
    created: bool


def _copy(source: Path, target: Path) -> Created:
    if target.exists():
        return Created(target, False)
    with atomic_path(target) as tmp:
        tmp.write_bytes(source.read_bytes())
    return Created(target, True)


def _text(text: str, target: Path) -> Created:
    if target.exists():
        return Created(target, False)
    write_text(text, target)
    return Created(target, True)


def create_working_folder(folder: str | Path) -> list[Created]:
    """Create (or complete) a working folder; every path with whether it was created now."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise NexosError(f"{folder}: ya existe y no es una carpeta (se esperaba una carpeta nueva o de trabajo)")
    done = [_text(README, folder / "LEEME.md"), _text(DEFAULTS_GUIDE, folder / "params" / "defaults.yaml")]
    for pattern in COPIED:
        for source in sorted(PACKAGED_PARAMS.glob(pattern)):
            done.append(_copy(source, folder / "params" / source.relative_to(PACKAGED_PARAMS)))
    for source in sorted(WORKBOOKS_DIR.glob("*.ipynb")):
        done.append(_copy(source, folder / "workbooks" / source.name))
    data = folder / "datos"
    done.append(Created(data, not data.is_dir()))
    data.mkdir(parents=True, exist_ok=True)
    return done
