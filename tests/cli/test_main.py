"""The ``nexos`` command as a whole: Spanish help for every command, and every command of
``COMMANDS`` (subcommands too, including those added later) refusing bad argument values with a
Spanish message and status 1 or 2, never a traceback, before doing any work."""

from __future__ import annotations

import argparse
import contextlib
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from nexos_model.cli.main import COMMANDS, build_parser, main
from tests.fuzz.harness import english_words
from tests.support import ROOT, nexos


def test_help_is_spanish_everywhere():
    out = nexos("--help")
    assert out.returncode == 0 and "uso: nexos" in out.stdout and "comandos" in out.stdout
    for command in ["municipios", "validar", "calidad", "esquema", "proyectar"]:
        sub = nexos(command, "--help")
        assert sub.returncode == 0 and "uso:" in sub.stdout and "muestra esta ayuda" in sub.stdout, command


def test_a_closed_pipe_ends_quietly():
    """``nexos municipios | head -1``: the reader leaves after one line; no BrokenPipeError."""
    done = subprocess.run(f"{sys.executable} -m nexos_model.cli municipios | head -1", shell=True,
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.stdout.startswith("0101  Guatemala") and done.stdout.count("\n") == 1
    assert done.stderr == ""


# --- every command against a table of bad arguments ------------------------------------------

#: A value that makes each required argument valid, by its ``dest`` (so the bad one is the only fault).
VALID = {"municipio": "0901", "municipios": "0901", "anio": "2024", "monto": "1000000", "tasa": "0.08",
         "plazo": "3", "hasta": "2018", "escenarios": "base"}
#: Values that are wrong for an argument of this ``dest`` in every command that has one.
BAD_BY_DEST = {
    "municipio": ["", ",", " , ", "x" * 300, "9999", "depto:99", "0901,9999"],
    "municipios": ["", ",", "x" * 300, "9999", "depto:99"],
    "escenario": ["", "x" * 300, "../secreto", "no_existe", "base/../../x", "usuarios/"],
    "escenarios": ["", ",", "base,no_existe", "x" * 300],
    "set": ["clave.sub=[1,", "sin_igual", "=1", "a..b=1", "macro.inflacion=!!python/object/apply:os.system [x]",
            "macro.inflacion=!mio 1", "macro.inflacion=" + "[" * 1000, "macro.inflacion=" + "9" * 5000,
            "macro.inflacion=&a [1, *a]", "macro.inflacion=.nan", "macro.inflacion=1e300", "no_existe.x=1"],
    "datos": ["", "no/existe.csv", "{carpeta}", "{basura}"],
    "cartera": ["", "no/existe.yaml", "{carpeta}", "{basura}"],
    "formato": ["", "docx", ",,", "html,docx"],
    "grafico": ["", "x.foo", "{carpeta}"],
    "resultado": ["", "no_existe"],
    "departamento": ["", "99", "x", "0"],
    "desembolsos": ["x", "2021:", "2021:nan", "2021:2", ":", "1900:1"],
    "planificador": ["", "nada", "tcp://"],
    "rutas": ["no/existe.yaml", "{carpeta}", "{basura}"],
}
#: Values wrong for one command's argument only.
BAD_BY_COMMAND = {
    ("sensibilidad", "anio"): ["2100", "2001"],
    ("backtest", "hasta"): ["2030", "2016"],
    ("prestamo", "gracia"): ["3", "5"],  # the baseline's term is 3 years
}
INTEGER_BAD = ["x", "", "1.5", "-1", "9" * 30, "9" * 5000]
NUMBER_BAD = ["x", "", "nan", "inf", "-inf", "1e400", "-1"]
TEXT_BAD = ["", "x" * 5000]


def _commands() -> list[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    """Every command and subcommand, as the words that name it and its parser, from ``COMMANDS``."""
    found = []

    def visit(words: tuple[str, ...], parser: argparse.ArgumentParser) -> None:
        found.append((words, parser))
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    visit(words + (name,), sub)

    for name in COMMANDS:
        top = build_parser(name)
        sub = next(a for a in top._actions if isinstance(a, argparse._SubParsersAction))
        visit((name,), sub.choices[name])
    return found


def _kind(action: argparse.Action) -> str:
    name = getattr(action.type, "__name__", "")
    if action.nargs == 0:
        return "flag"
    if action.choices is not None and not isinstance(action, argparse._SubParsersAction):
        return "choice"
    if action.type is int or name == "entero":
        return "integer"
    if action.type is float or name == "número":
        return "number"
    return "text"


def _output(action: argparse.Action) -> bool:
    return action.dest in ("salida",) or str(action.metavar) in ("CARPETA",)


def _bad_values(command: str, action: argparse.Action) -> list[str]:
    kind = _kind(action)
    if kind == "flag":
        return []  # tried as --flag=valor below
    if kind == "choice":
        return ["no_es_opcion", ""]
    if _output(action):
        if action.metavar == "CARPETA":
            return ["", "/proc/nexos/salida", "{basura}", "a/" + "x" * 300]
        return ["", "/proc/nexos/x.csv", "{carpeta}", "x.foo", "a/" + "x" * 300 + ".csv", "{archivo}/x.csv"]
    values = list(BAD_BY_DEST.get(action.dest, []))
    values += BAD_BY_COMMAND.get((command, action.dest), [])
    if kind == "integer":
        values += INTEGER_BAD
    elif kind == "number":
        values += NUMBER_BAD
    elif not values:
        values = TEXT_BAD  # an argument this table does not know (a command added later)
    return list(dict.fromkeys(values))


def _cases() -> list[tuple[tuple[str, ...], str, str]]:
    """``(command words, option or positional, bad value)`` for every argument of every command."""
    cases = []
    for words, parser in _commands():
        if any(isinstance(a, argparse._SubParsersAction) for a in parser._actions):
            continue  # a group of subcommands: each one is visited
        cases.append((words, "--no-existe", "x"))
        for action in parser._actions:
            if isinstance(action, argparse._HelpAction):
                continue
            name = action.option_strings[-1] if action.option_strings else action.dest
            if _kind(action) == "flag":
                cases.append((words, f"{name}=si", ""))
            for value in _bad_values(words[0], action):
                cases.append((words, name, value))
    return cases


def _baseline(parser: argparse.ArgumentParser, tmp: Path, skip: str) -> list[str]:
    """Valid values for every required argument but ``skip``."""
    argv: list[str] = []
    for action in parser._actions:
        if not action.required or action.dest == skip or isinstance(action, argparse._SubParsersAction):
            continue
        if _output(action):
            value = str(tmp / ("salida" if action.metavar == "CARPETA" else "salida.csv"))
        else:
            value = VALID.get(action.dest, "x")
        argv += [action.option_strings[-1], value] if action.option_strings else [value]
    return argv


@contextlib.contextmanager
def _deadline(seconds: int):
    """A bad value that slips through starts real work (a batch, a server): stop it, and fail."""
    def expire(signum, frame):
        raise TimeoutError(f"el comando siguió trabajando {seconds} s con un valor inválido")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.mark.parametrize("words,option,value", _cases(),
                         ids=lambda x: (x if isinstance(x, str) else " ".join(x))[:40])
def test_every_command_refuses_bad_arguments_in_spanish(words, option, value, tmp_path, capsys, monkeypatch,
                                                        params_copy):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "carpeta").mkdir()
    (tmp_path / "basura").write_bytes(b"\x00\x01PK\x03\x04 basura \xff" * 10)
    (tmp_path / "archivo").write_text("no es una carpeta")
    value = value.format(carpeta=tmp_path / "carpeta", basura=tmp_path / "basura", archivo=tmp_path / "archivo")
    parser = dict(_commands())[words]
    dest = next((a.dest for a in parser._actions if option in a.option_strings or a.dest == option),
                option.lstrip("-").split("=")[0])
    argv = [*words, *_baseline(parser, tmp_path, dest)]
    if "=" in option:
        argv.append(option)  # a flag given a value
    elif option.startswith("-"):
        argv.append(f"{option}={value}")  # '=' keeps '' or '-1' a value
    else:
        argv.append(value)
    with _deadline(120):
        try:
            code = main(argv)
        except SystemExit as exc:
            code = exc.code
    err = capsys.readouterr().err
    assert code in (1, 2), f"nexos {' '.join(a[:60] for a in argv)}: estado {code}\n{err[-2000:]}"
    assert err.strip() and "Traceback" not in err
    assert english_words(err, [value] if value else []) == [], err[-2000:]
    assert not (tmp_path / "salida.csv").exists() and not (tmp_path / "salida").exists(), "nothing written"


def test_the_table_reaches_every_command_and_every_argument():
    """The enumeration above covers each command of COMMANDS and each of its arguments."""
    covered = {(words, option) for words, option, _ in _cases()}
    for words, parser in _commands():
        if any(isinstance(a, argparse._SubParsersAction) for a in parser._actions):
            continue
        for action in parser._actions:
            if isinstance(action, argparse._HelpAction):
                continue
            name = action.option_strings[-1] if action.option_strings else action.dest
            option = f"{name}=si" if _kind(action) == "flag" else name
            assert (words, option) in covered, (words, option)
    assert {words[0] for words, _ in _commands()} == set(COMMANDS)


# --- issue 17: the crashes found by a reliability probe, each now a Spanish answer in under a second ---

_BOMB = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{c}: &{c} [" + ",".join([f"*{p}"] * 9) + "]\n" for p, c in zip("abcdefgh", "bcdefghi"))


def _crash_files(tmp: Path) -> dict[str, str]:
    """The files of the probe, written in ``tmp``; returns the paths by name."""
    (tmp / "utf16.csv").write_bytes("ejercicio,cod_municipio,cod_seccion,devengado\n".encode("utf-16") + b"x")
    (tmp / "hondo.yaml").write_text("macro: " + "[" * 990 + "]" * 990 + "\n", encoding="utf-8")
    (tmp / "entero.yaml").write_text("macro:\n  inflacion: " + "9" * 5000 + "\n", encoding="utf-8")
    (tmp / "bomba.yaml").write_text(_BOMB, encoding="utf-8")
    (tmp / "x_brechas.csv").mkdir()
    return {"dir": str(tmp)}


#: (what crashed, the command, its status, the Spanish answer it gets now).
CRASHES = [
    ("UTF-16 de bytes impares", ["validar", "{dir}/utf16.csv"], 1, "fila 2, carácter 1: bytes que no forman texto UTF-16"),
    ("YAML de 990 niveles", ["validar", "{dir}/hondo.yaml"], 1, "anidamiento demasiado profundo"),
    ("entero de 5,000 cifras", ["validar", "{dir}/entero.yaml"], 1,
     "macro.inflacion: número entero demasiado largo (5000 cifras"),
    ("--set con YAML roto", ["proyectar", "--municipio", "0901", "--set", "clave=[1,", "--salida", "{dir}/y.csv"], 2,
     "--set clave: al final del valor: YAML mal formado"),
    ("--set con etiqueta", ["proyectar", "--municipio", "0901", "--set", "macro.inflacion=!!python/object/apply:os.system [ls]",
                            "--salida", "{dir}/y.csv"], 2, "etiqueta YAML '!!python/object/apply:os.system' no admitida"),
    ("--municipio vacío", ["proyectar", "--municipio", "", "--salida", "{dir}/y.csv"], 2, "se esperaba un código INE"),
    ("--municipio ','", ["proyectar", "--municipio", ",", "--salida", "{dir}/y.csv"], 1, "no se indicó ningún municipio"),
    ("--escenario de 300 caracteres", ["proyectar", "--municipio", "0901", "--escenario", "e" * 300,
                                       "--salida", "{dir}/y.csv"], 1, "no válido (se esperaba un nombre"),
    ("--salida donde no se puede escribir", ["proyectar", "--municipio", "0901", "--salida", "/proc/nexos/y.csv"], 1,
     "no se puede escribir en /proc"),
    ("tabla hermana que es carpeta", ["proyectar", "--municipio", "0901", "--salida", "{dir}/x.csv"], 1,
     "x_brechas.csv: es una carpeta"),
    ("--puerto 70000", ["app", "--puerto", "70000"], 2, "se esperaba un puerto entre 1 y 65535"),
    ("bomba de alias", ["validar", "{dir}/bomba.yaml"], 1, "crece a más de 200,000 valores al expandir sus alias"),
    ("--escenario ''", ["proyectar", "--municipio", "0901", "--escenario", "", "--salida", "{dir}/y.csv"], 2,
     "--escenario: valor no válido"),
    ("--puerto 0", ["app", "--puerto", "0"], 2, "se esperaba un puerto entre 1 y 65535"),
]


@pytest.mark.parametrize("what, argv, status, answer", CRASHES, ids=[c[0] for c in CRASHES])
def test_each_crash_of_the_probe_is_now_a_spanish_answer_in_under_a_second(what, argv, status, answer, tmp_path,
                                                                           capsys):
    files = _crash_files(tmp_path)
    argv = [a.format(**files) for a in argv]
    main(["municipios"])  # imports and caches warm, as in a user's second command; not timed
    capsys.readouterr()
    start = time.perf_counter()
    try:
        code = main(argv)
    except SystemExit as exc:
        code = exc.code
    seconds = time.perf_counter() - start
    err = capsys.readouterr().err
    assert code == status and answer in err, err
    assert "Traceback" not in err and english_words(err, argv) == []
    assert seconds < 1.0, f"{what}: {seconds:.2f} s"
    assert not (tmp_path / "x.csv").exists() and not (tmp_path / "y.csv").exists()
