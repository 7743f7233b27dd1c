"""Fuzz cases: what a user can type or load, made by mutating the real files.

Each case is drawn from ``random.Random(f"{seed}-{index}")``, so any case can be made again by its
number (``python -m tests.fuzz --caso N``). A case is a set of files written into a fresh working
folder (with a copy of ``params/``), the ``nexos`` command line that loads them, and the names a
message about them must use (the file at fault, or ``--set`` for a typed value).

Kinds, with the share of cases each gets:

- ``datos`` (40 %): the bundled SICOIN GL export of two municipalities, mutated in its encoding
  (UTF-16 cut at an odd byte, Latin-1, NUL bytes...), columns (renamed, dropped, doubled, moved
  below title lines), rows (dropped, doubled, junk, totals, cut), numbers (``1e400``, ``nan``,
  ``1.234,56``, 400 digits...) and bytes; written as CSV or as an XLSX with other sheets, odd
  cell types, or a damaged zip. Loaded by ``nexos validar``, and by ``nexos proyectar --datos``
  (with and without ``--solo-datos``) in one case of 25.
- ``parametros`` (35 %): a scenario, a municipality's file or the defaults, mutated as data
  (types, nesting, keys, huge or infinite numbers) and as text (aliases and alias bombs, tags,
  duplicate keys, deep nesting, 5,000-digit integers, tabs, bad bytes, cut text); loaded by
  ``nexos validar`` and, in one case of 12, used by ``nexos proyectar``.
- ``cartera`` (15 %): a portfolio (YAML, CSV or XLSX) mutated likewise; ``nexos validar``, or
  ``nexos planificar --cartera`` in one case of 30.
- ``ajuste`` (10 %): ``--set clave=valor`` values: YAML flows, tags, aliases, depths, numbers.
"""

from __future__ import annotations

import copy
import csv
import datetime
import io
import random
import re
import zipfile
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Callable

import openpyxl
import yaml
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from tests.support import ROOT

PACKAGE_DATA = ROOT / "nexos_model" / "data"
PARAMS = ROOT / "params"


@dataclass
class Case:
    index: int
    kind: str
    files: dict[str, bytes]
    argv: list[str]
    culprits: list[str]  # a message must name one of these
    steps: list[str] = field(default_factory=list)  # the mutations, for a human reading a failure


# --------------------------------------------------------------------------- material


@lru_cache(maxsize=None)
def export_rows() -> tuple[list[str], list[list[str]]]:
    """Header and rows of the bundled export for Quetzaltenango and Huehuetenango, 2016-2019."""
    with open(PACKAGE_DATA / "ingresos_municipales_2016_2019_por_seccion.csv", encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        rows = [r for r in reader if r[0] in ("0901", "1301")]
    return header, rows


@lru_cache(maxsize=None)
def yaml_data(relative: str) -> Any:
    return yaml.safe_load((PARAMS / relative).read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- values

_WORDS = ["inflacion", "meta", "monto_base", "crecimiento", "palancas", "tendencia", "macro", "proyectos",
          "nombre", "costo_total", "2026", "año", "ñandú", "clave", "x", "", " ", "a.b", "Ω", "🙂"]


def junk_scalar(rng: random.Random) -> Any:
    return rng.choice([
        None, True, False, 0, -1, 1, 2026, 10**30, -10**18, 0.5, -0.5, 1e300, -1e300, float("inf"), float("nan"),
        "", " ", "texto", "0.05", "1e400", "1,234.56", "Q 5", "null", "yes", "~", "\t", "\x00", "é" * 50,
        "x" * 5000, "٣", "2026-01-01", [], {}, [1, 2], {"a": 1}, [[[]]], {2026: 0.05}, {"2026": "x"},
    ])


def junk_text(rng: random.Random) -> str:
    pieces = ["", "-", "abc", "1,2,3", "1.234,56", "(1,234.56)", "Q 5", "Q-5", "1e400", "-1e400", "inf", "nan",
              "9" * 400, "-0", "٣٤٥", "1_000", "0x10", " 12 ", "12%", "2018.0", "18", "2O18", "99999", "901",
              "0901.0", "9999", "Total", "=1/0", '"', "'", ";", "\t", "\r", "é", "\x81\x8d", "١٢٣٤", "1e-400",
              "100000000000.01", "3" * 20]
    return rng.choice(pieces)


# --------------------------------------------------------------------------- data exports


def _mutate_table(rng: random.Random, header: list[str], rows: list[list[str]], steps: list[str]) -> tuple[list[str], list[list[str]]]:
    header, rows = list(header), [list(r) for r in rows]
    for _ in range(rng.randint(1, 4)):
        op = rng.choice(["rename", "drop_col", "dup_col", "swap_cols", "junk_col", "drop_rows", "dup_rows",
                         "shuffle", "junk_rows", "totals", "cells", "amounts", "title_lines", "blank_header",
                         "wide_row", "few_rows", "long_cell", "nothing"])
        steps.append(f"tabla:{op}")
        if op == "rename" and header:
            i = rng.randrange(len(header))
            header[i] = rng.choice(["Año", "AÑO", "Código Municipio", "Sección", "Devengado", "PERCIBIDO", "vigente",
                                    "", "ejercicio fiscal", "cod. municipio", "código", "x", "Devengado Q", "año"])
        elif op == "drop_col" and len(header) > 1:
            i = rng.randrange(len(header))
            header.pop(i)
            for r in rows:
                if i < len(r):
                    r.pop(i)
        elif op == "dup_col" and header:
            i = rng.randrange(len(header))
            header.append(header[i])
            for r in rows:
                r.append(r[i] if i < len(r) else "")
        elif op == "swap_cols" and len(header) > 1:
            i, j = rng.sample(range(len(header)), 2)
            header[i], header[j] = header[j], header[i]
        elif op == "junk_col":
            header.insert(rng.randrange(len(header) + 1), junk_text(rng))
        elif op == "drop_rows" and rows:
            start = rng.randrange(len(rows))
            del rows[start: start + rng.randint(1, len(rows))]
        elif op == "dup_rows" and rows:
            rows += rng.sample(rows, min(len(rows), rng.randint(1, 20)))
        elif op == "shuffle":
            rng.shuffle(rows)
        elif op == "junk_rows":
            for _ in range(rng.randint(1, 5)):
                rows.insert(rng.randrange(len(rows) + 1), [junk_text(rng) for _ in range(rng.randint(0, len(header) + 3))])
        elif op == "totals":
            rows.append(["Total"] + [""] * (len(header) - 2) + ["123.45"])
        elif op in ("cells", "amounts") and rows:
            for _ in range(rng.randint(1, 10)):
                r = rng.choice(rows)
                if r:
                    column = len(r) - rng.randint(1, 3) if op == "amounts" and len(r) > 3 else rng.randrange(len(r))
                    r[column] = junk_text(rng)
        elif op == "title_lines":
            pass  # the writers put title lines above the header when they see this step
        elif op == "blank_header" and header:
            header[rng.randrange(len(header))] = ""
        elif op == "wide_row" and rows:
            rows[rng.randrange(len(rows))] += ["1"] * rng.randint(10, 300)
        elif op == "few_rows":
            rows = rows[: rng.randint(0, 3)]
        elif op == "long_cell" and rows:
            r = rng.choice(rows)
            if r:
                r[rng.randrange(len(r))] = rng.choice(["x", "9", "á"]) * rng.randint(1000, 200_000)
    return header, rows


def _csv_bytes(rng: random.Random, header: list[str], rows: list[list[str]], steps: list[str]) -> bytes:
    delimiter = rng.choice([",", ",", ",", ";", "\t", "|"])
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=rng.choice(["\n", "\r\n", "\r"]))
    if "tabla:title_lines" in steps:
        for _ in range(rng.randint(1, 6)):
            writer.writerow([rng.choice(["MINISTERIO DE FINANZAS PÚBLICAS", "Reporte de ejecución", "", "Fecha: 2026"])])
    writer.writerow(header)
    for row in rows:
        if rng.random() < 0.02:
            buffer.write("\n")  # blank line
        writer.writerow(row)
    text = buffer.getvalue()
    encoding = rng.choice(["utf-8", "utf-8", "utf-8-sig", "latin-1", "cp1252", "utf-16", "utf-16-odd",
                           "utf-16-le", "mixed"])
    steps.append(f"codificación:{encoding}")
    if encoding == "utf-16-odd":
        data = text.encode("utf-16")
        data = data[: max(3, len(data) - rng.choice([1, 3, len(data) // 2 * 2 - 1]))]
    elif encoding == "mixed":
        data = text.encode("utf-8")
        at = rng.randrange(len(data) + 1)
        data = data[:at] + rng.choice([b"\x81\x8d", b"\xe9", b"\xc3", b"\xff\xfe", b"\x00"]) + data[at:]
    elif encoding in ("latin-1", "cp1252"):
        data = text.encode(encoding, errors="replace")
    else:
        data = text.encode(encoding)
    return _byte_mutations(rng, data, steps)


def _byte_mutations(rng: random.Random, data: bytes, steps: list[str]) -> bytes:
    if rng.random() < 0.3:
        data = bytearray(data)
        for _ in range(rng.randint(1, 8)):
            op = rng.choice(["flip", "insert", "delete", "cut", "nul", "quote"])
            steps.append(f"bytes:{op}")
            at = rng.randrange(len(data) + 1)
            if op == "flip" and data:
                data[min(at, len(data) - 1)] = rng.randrange(256)
            elif op == "insert":
                data[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 20)))
            elif op == "delete":
                del data[at: at + rng.randint(1, 50)]
            elif op == "cut":
                del data[at:]
            elif op == "nul":
                data[at:at] = b"\x00"
            elif op == "quote":
                data[at:at] = b'"'
        data = bytes(data)
    return data


def _cell(rng: random.Random, text: str) -> Any:
    """A cell as a spreadsheet may hold it: number, text, date, formula, boolean or empty."""
    choice = rng.random()
    if choice < 0.7:
        try:
            number = float(text)
            return int(number) if number.is_integer() and abs(number) < 1e15 and rng.random() < 0.5 else number
        except ValueError:
            return text
    if choice < 0.8:
        return text
    return rng.choice([None, True, "=1/0", "=SUM(A1:A2)", 1e308, -0.0, "2026-01-01"])


_EPOCH = datetime.datetime(2026, 1, 1)


def _fixed_times(data: bytes) -> bytes:
    """A workbook's zip with every entry dated 2026-01-01: the same case gives the same bytes."""
    source, target = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "docProps/core.xml":  # openpyxl stamps the time of saving here
                content = re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", b"2026-01-01T00:00:00Z", content)
            out.writestr(zipfile.ZipInfo(item.filename, date_time=_EPOCH.timetuple()[:6]), content)
    return target.getvalue()


def _sheet_safe(value: Any) -> Any:
    """A value openpyxl can store (it refuses most control characters in text)."""
    return ILLEGAL_CHARACTERS_RE.sub("?", value) if isinstance(value, str) else value


def _xlsx_bytes(rng: random.Random, header: list[str], rows: list[list[str]], steps: list[str]) -> bytes:
    book = openpyxl.Workbook()
    sheets = [book.active] + [book.create_sheet(f"Hoja{i}") for i in range(rng.randint(0, 2))]
    data_sheet = rng.choice(sheets)
    for sheet in sheets:
        if sheet is not data_sheet:
            for _ in range(rng.randint(0, 5)):
                sheet.append([_sheet_safe(junk_text(rng)) for _ in range(rng.randint(0, 5))])
    if "tabla:title_lines" in steps:
        data_sheet.append(["Reporte de ejecución de ingresos"])
        data_sheet.append([])
    data_sheet.append([_sheet_safe(c) for c in header])
    for row in rows:
        data_sheet.append([_sheet_safe(_cell(rng, c)) for c in row])
    buffer = io.BytesIO()
    book.save(buffer)
    data = _fixed_times(buffer.getvalue())
    steps.append(f"xlsx:{len(sheets)} hojas, datos en {data_sheet.title}")
    if rng.random() < 0.15:
        steps.append("xlsx:cortado")
        data = data[: rng.randrange(len(data))]
    return _byte_mutations(rng, data, steps) if rng.random() < 0.3 else data


def data_case(rng: random.Random, index: int) -> Case:
    steps: list[str] = []
    header, rows = _mutate_table(rng, *export_rows(), steps)
    as_xlsx = rng.random() < 0.35
    extension = ".xlsx" if as_xlsx else rng.choice([".csv", ".csv", ".txt"])
    content = _xlsx_bytes(rng, header, rows, steps) if as_xlsx else _csv_bytes(rng, header, rows, steps)
    if rng.random() < 0.03:  # a workbook named .csv, or a text named .xlsx
        extension = ".csv" if as_xlsx else ".xlsx"
        steps.append("extensión cambiada")
    path = f"datos/exportacion{extension}"
    if rng.random() < 1 / 25:
        argv = ["proyectar", "--municipio", rng.choice(["0901", "1301"]), "--datos", path,
                "--salida", "salida/x.csv"] + (["--solo-datos"] if rng.random() < 0.5 else [])
    else:
        argv = ["validar", path]
    return Case(index, "datos", {path: content}, argv, [path], steps)


# --------------------------------------------------------------------------- YAML


def _paths(tree: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(tree, dict):
        for k, v in tree.items():
            out += _paths(v, prefix + (k,))
    elif isinstance(tree, list):
        for i, v in enumerate(tree):
            out += _paths(v, prefix + (i,))
    return out


def _set(tree: Any, path: tuple, value: Any) -> Any:
    if not path:
        return value
    node = tree
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return tree


def _get(tree: Any, path: tuple) -> Any:
    for part in path:
        tree = tree[part]
    return tree


def _mutate_tree(rng: random.Random, tree: Any, steps: list[str]) -> Any:
    """Type, nesting and key mutations of a YAML document as data."""
    tree = copy.deepcopy(tree)
    for _ in range(rng.randint(1, 4)):
        paths = _paths(tree)
        path = rng.choice(paths)
        op = rng.choice(["value", "value", "wrap_list", "wrap_map", "rename", "delete", "non_str_key", "add_key",
                         "year_map", "deep"])
        steps.append(f"árbol:{op}:{'.'.join(map(str, path))[:60]}")
        try:
            current = _get(tree, path)
            if op == "value":
                tree = _set(tree, path, junk_scalar(rng))
            elif op == "wrap_list":
                tree = _set(tree, path, [current])
            elif op == "wrap_map":
                tree = _set(tree, path, {rng.choice(_WORDS): current})
            elif op in ("rename", "delete", "non_str_key") and path and isinstance(_get(tree, path[:-1]), dict):
                parent = _get(tree, path[:-1])
                value = parent.pop(path[-1])
                if op == "rename":
                    key = str(path[-1])
                    new = rng.choice([key[:-1], key + "s", key.upper(), rng.choice(_WORDS), key.replace("_", "-")])
                    parent[new or "x"] = value
                elif op == "non_str_key":
                    parent[rng.choice([True, False, None, 1.5, 2026, 0, -1])] = value
            elif op == "add_key" and isinstance(current, dict):
                current[rng.choice(_WORDS + ["nuevo", "inflacion_"])] = junk_scalar(rng)
            elif op == "year_map":
                tree = _set(tree, path, {rng.choice([0, 2026, 1999, 2101, -5, "2026", 2026.5]): junk_scalar(rng)
                                         for _ in range(rng.randint(1, 3))})
            elif op == "deep":
                value: Any = junk_scalar(rng)
                for _ in range(rng.randint(5, 60)):
                    value = [value] if rng.random() < 0.5 else {"k": value}
                tree = _set(tree, path, value)
        except (KeyError, IndexError, TypeError):
            continue
    return tree


def _dump(rng: random.Random, tree: Any) -> str:
    try:
        return yaml.safe_dump(tree, allow_unicode=rng.random() < 0.8, sort_keys=False,
                              default_flow_style=rng.choice([False, None, True]))
    except yaml.YAMLError:
        return yaml.dump(tree, allow_unicode=True)  # non-standard keys: let PyYAML write tags


_BOMB = "".join(f"{c}: &{c} [" + ",".join([f"*{p}"] * 9) + "]\n" for p, c in zip("abcdefgh", "bcdefghi"))


def _mutate_text(rng: random.Random, text: str, steps: list[str]) -> str:
    """Textual mutations: aliases, tags, duplicates, depth, big numbers, tabs, bad characters."""
    lines = text.splitlines()
    for _ in range(rng.randint(0, 3)):
        op = rng.choice(["bomb", "alias", "recursive", "tag", "duplicate", "deep", "bigint", "tab", "char", "cut",
                         "bracket", "indent", "multi_doc", "bom", "long_line", "anchor_merge", "unicode_key"])
        steps.append(f"texto:{op}")
        at = rng.randrange(len(lines) + 1)
        if op == "bomb":
            lines.insert(0, 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]')
            lines[1:1] = _BOMB.splitlines()
        elif op == "alias":
            lines.insert(0, "comun: &comun {distribucion: normal, desviacion: 0.01}")
            lines.append("otro: *comun")
        elif op == "recursive":
            lines.append("r: &r [1, *r]")
        elif op == "tag":
            tag = rng.choice(["!!python/object/apply:os.system ['echo x']", "!!binary aGVsbG8=", "!mio x",
                              "!!set {a, b}", "!!timestamp 2026-01-01", "!!str 5", "!!float 1", "!!omap [a: 1]",
                              "!!python/name:os.system", "!<tag:yaml.org,2002:int> 3"])
            lines.insert(at, f"etiqueta: {tag}")
        elif op == "duplicate" and lines:
            line = rng.choice(lines)
            lines.insert(at, line)
        elif op == "deep":
            depth = rng.choice([30, 45, 200, 990, 5000])
            lines.insert(at, "hondo: " + "[" * depth + "1" + "]" * depth)
        elif op == "bigint":
            lines.insert(at, f"grande: {rng.choice(['9' * 5000, '-' + '1' * 25, '0x' + 'f' * 100, '1:' * 2000 + '1'])}")
        elif op == "tab":
            lines.insert(at, "\tclave: 1")
        elif op == "char":
            lines.insert(at, rng.choice(["x: \x99", "x: \x01", "@x: 1", "`x`: 1", "x: 'sin cerrar", 'x: "\\q"', "%YAML 1.1", "x: *noexiste"]))
        elif op == "cut" and lines:
            joined = "\n".join(lines)
            return joined[: rng.randrange(len(joined) + 1)]
        elif op == "bracket":
            lines.insert(at, rng.choice(["x: [1, 2", "x: {a: 1", "x: ]", "x: }", "- suelto", "x: y: z"]))
        elif op == "indent" and lines:
            i = rng.randrange(len(lines))
            lines[i] = " " * rng.randint(1, 7) + lines[i]
        elif op == "multi_doc":
            lines += ["---", "otro: 1"]
        elif op == "bom":
            lines.insert(0, "\ufeff")
        elif op == "long_line":
            lines.insert(at, "largo: " + "x" * rng.choice([10_000, 3_000_000]))
        elif op == "anchor_merge":
            lines += ["base: &base {meta: 0.5}", "derivado:", "  <<: *base", "  meta: 0.6"]
        elif op == "unicode_key":
            lines.insert(at, rng.choice(["año: 1", "ñ: 2", "🙂: 3", "'': 4", "? [a]\n: 5", "? {a: 1}\n: 6"]))
    return "\n".join(lines) + "\n"


def _encode(rng: random.Random, text: str, steps: list[str]) -> bytes:
    encoding = rng.choices(["utf-8", "utf-8-sig", "latin-1", "utf-16"], weights=[85, 5, 6, 4])[0]
    if encoding != "utf-8":
        steps.append(f"codificación:{encoding}")
    data = text.encode(encoding, errors="replace")
    return _byte_mutations(rng, data, steps) if rng.random() < 0.25 else data


_PARAM_SOURCES = ["escenarios/base.yaml", "escenarios/optimista.yaml", "escenarios/pesimista.yaml",
                  "escenarios/actualizacion_catastral.yaml", "escenarios/mejora_cobranza.yaml", "defaults.yaml"]


def parameter_case(rng: random.Random, index: int) -> Case:
    steps: list[str] = []
    source = rng.choice(_PARAM_SOURCES)
    tree = yaml_data(source)
    role = rng.choices(["escenario", "municipio", "defaults"], weights=[70, 20, 10])[0]
    if role != "defaults" and source == "defaults.yaml":
        # a scenario that rewrites some whole sections of the defaults
        tree = {k: v for k, v in tree.items() if rng.random() < 0.3}
    steps.append(f"origen:{source} como {role}")
    text = _mutate_text(rng, _dump(rng, _mutate_tree(rng, tree, steps) if rng.random() < 0.8 else tree), steps)
    content = _encode(rng, text, steps)
    if role == "escenario":
        path = "params/escenarios/fuzz.yaml"
        run = ["proyectar", "--municipio", "0901", "--escenario", "fuzz", "--salida", "salida/x.csv"]
    elif role == "municipio":
        path = "params/municipios/0901.yaml"
        run = ["proyectar", "--municipio", "0901", "--salida", "salida/x.csv"]
    else:
        path = "params/defaults.yaml"
        run = ["proyectar", "--municipio", "0901", "--salida", "salida/x.csv"]
    argv = run if rng.random() < 1 / 12 else ["validar", path]
    return Case(index, "parametros", {path: content}, argv, [path], steps)


# --------------------------------------------------------------------------- portfolios


def _portfolio_table(rng: random.Random, projects: list[Any], steps: list[str]) -> tuple[list[str], list[list[str]]]:
    fields = list(dict.fromkeys(k for p in projects if isinstance(p, dict) for k in p))
    rows = []
    for p in projects:
        if not isinstance(p, dict):
            rows.append([str(p)])
            continue
        row = []
        for f in fields:
            v = p.get(f, "")
            if isinstance(v, list):
                v = ";".join(map(str, v))
            elif isinstance(v, dict):
                v = ";".join(f"{k}:{x}" for k, x in v.items())
            row.append(str(v))
        rows.append(row)
    return _mutate_table(rng, [str(f) for f in fields], rows, steps)


def portfolio_case(rng: random.Random, index: int) -> Case:
    steps: list[str] = []
    source = rng.choice(["carteras/0901.yaml", "carteras/1301.yaml"])
    tree = yaml_data(source)
    tree = dict(tree, proyectos=list(tree["proyectos"])[: rng.randint(0, len(tree["proyectos"]))])
    steps.append(f"origen:{source}, {len(tree['proyectos'])} proyectos")
    if rng.random() < 0.3:  # cross-project problems
        names = [p.get("nombre") for p in tree["proyectos"] if isinstance(p, dict)]
        for p in tree["proyectos"]:
            if names and rng.random() < 0.3:
                p["depende_de"] = rng.sample(names + ["desconocido"], k=min(len(names), rng.randint(1, 3)))
                steps.append("dependencias")
        if len(tree["proyectos"]) > 1 and rng.random() < 0.5:
            tree["proyectos"].append(dict(tree["proyectos"][0]))
            steps.append("nombre repetido")
    tree = _mutate_tree(rng, tree, steps) if rng.random() < 0.85 else tree
    form = rng.choices(["yaml", "csv", "xlsx"], weights=[70, 15, 15])[0]
    if form == "yaml":
        content = _encode(rng, _mutate_text(rng, _dump(rng, tree), steps), steps)
    else:
        projects = tree.get("proyectos") if isinstance(tree, dict) else None
        header, rows = _portfolio_table(rng, projects if isinstance(projects, list) else [], steps)
        content = (_xlsx_bytes if form == "xlsx" else _csv_bytes)(rng, header, rows, steps)
    path = f"params/carteras/0901.{form}"
    if rng.random() < 1 / 30:
        argv = ["planificar", "--municipio", "0901", "--cartera", path, "--salida", "salida/plan.csv"]
    else:
        argv = ["validar", path]
    return Case(index, "cartera", {path: content}, argv, [path], steps)


# --------------------------------------------------------------------------- --set


_KEYS = ["macro.inflacion", "tendencia.contraccion", "proyeccion.horizonte", "palancas.iusi_cobertura.meta",
         "transferencias.aporte_constitucional.monto_base", "deuda.nuevo_prestamo.monto", "inversion.anio_inicio",
         "incertidumbre.distribuciones", "macro", "", ".", "a..b", "macro.inflacion.2027", "x" * 300, "año.ñ"]


def set_case(rng: random.Random, index: int) -> Case:
    steps: list[str] = []
    sets = []
    for _ in range(rng.randint(1, 3)):
        key = rng.choice(_KEYS)
        value = rng.choice([
            "[1,", "{a: 1", "!!python/object/apply:os.system ['x']", "!mio 1", "&a [1, *a]", "*a",
            "[" * 1000 + "]" * 1000, "9" * 5000, ".inf", ".nan", "1e400", "-1", "0.3", "{2027: 0.05}",
            "{2027: x}", "yes", "~", "", "'", "\t1", "a: b: c", "{a: 1, a: 2}", _BOMB.replace("\n", " "),
            "[1, 2, 3]", "2026-01-01", "0x10", "1_000", "\x01", "é" * 3000, "{distribucion: normal}",
        ])
        sets.append(f"{key}={value}" if rng.random() > 0.05 else key)
        steps.append(f"--set {sets[-1][:80]}")
    argv = ["proyectar", "--municipio", "0901", "--salida", "salida/x.csv"]
    for item in sets:
        argv += ["--set", item]
    return Case(index, "ajuste", {}, argv, ["--set", "ajustes"], steps)


KINDS: list[tuple[Callable[[random.Random, int], Case], int]] = [
    (data_case, 40), (parameter_case, 35), (portfolio_case, 15), (set_case, 10)]


def make_case(seed: int, index: int) -> Case:
    """Case number ``index`` of the run seeded ``seed`` (the same every time)."""
    rng = random.Random(f"{seed}-{index}")
    maker = rng.choices([k for k, _ in KINDS], weights=[w for _, w in KINDS])[0]
    return maker(rng, index)


__all__ = ["Case", "KINDS", "make_case"]
