"""The ``nexos`` command: Spanish flags and messages; a user error exits 1 (a wrong argument 2)
without a traceback; a closed pipe (``nexos municipios | head -1``) ends quietly."""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from nexos_model import __version__
from nexos_model.errors import NexosError, os_problem

_ARGPARSE_ES = {
    "usage: ": "uso: ",
    "options": "opciones",
    "positional arguments": "argumentos",
    "show this help message and exit": "muestra esta ayuda y termina",
    "show program's version number and exit": "muestra la versión y termina",
    "the following arguments are required: %s": "faltan los argumentos obligatorios: %s",
    "unrecognized arguments: %s": "argumentos no reconocidos: %s",
    "invalid choice: %(value)r (choose from %(choices)s)": "opción no válida: %(value)r (elija entre %(choices)s)",
    "argument %(argument_name)s: %(message)s": "argumento %(argument_name)s: %(message)s",
    "expected one argument": "se esperaba un valor",
    "expected at most one argument": "se esperaba a lo sumo un valor",
    "expected at least one argument": "se esperaba al menos un valor",
    "ignored explicit argument %r": "esta opción no lleva valor (valor dado: %r)",
    "not allowed with argument %s": "no se puede usar junto con %s",
    "one of the arguments %s is required": "falta uno de los argumentos %s",
    "unexpected option string: %s": "opción inesperada: %s",
    "invalid %(type)s value: %(value)r": "valor no válido: %(value)r",
    "%(prog)s: error: %(message)s\n": "%(prog)s: error: %(message)s\n",
    "ambiguous option: %(option)s could match %(matches)s": "opción ambigua: %(option)s puede ser %(matches)s",
}


def _translate(text: str) -> str:
    return _ARGPARSE_ES.get(text, text)


argparse._ = _translate  # type: ignore[attr-defined]  # argparse looks its messages up through this module-level function


#: Every ``nexos`` command, in the order ``nexos --help`` lists them, with its help line. The
#: command ``X`` lives in ``nexos_model/cli/X.py``, which defines ``add_parser(subparsers, help)``;
#: only the module of the command being run is imported, so ``nexos --help`` and a light
#: command do not pay for the model, the notebooks or the browser.
COMMANDS: dict[str, str] = {
    "init": "crea una carpeta de trabajo (params/, workbooks/, datos/) para sus parámetros",
    "info": "versión, carpetas de parámetros en uso y extras instalados",
    "municipios": "lista los municipios de los datos incluidos",
    "esquema": "imprime el esquema JSON de los parámetros",
    "validar": "valida archivos de parámetros o de datos",
    "datos": "importa, lista o quita datos de ejecución de SICOIN GL (se guardan y se usan en todo)",
    "calidad": "diagnóstico de calidad de los datos",
    "proyectar": "proyecta uno o varios municipios",
    "backtest": "mide el error de la proyección en años ya observados",
    "aporte": "reparte un monto de aporte constitucional entre los 340 municipios (art. 119)",
    "prestamo": "calendario de pagos de un préstamo (INFOM: francés o alemán)",
    "comparar": "compara escenarios de un municipio",
    "sensibilidad": "tornado y Sobol de un resultado",
    "reporte": "genera el reporte al Concejo Municipal (HTML, PDF, Excel)",
    "app": "sirve la app de escenarios para asesores (Voilà, en el navegador)",
    "planificar": "programa la inversión multianual (POM/POA) de un municipio",
    "lote": "reportes de muchos municipios y escenarios en paralelo (reanudable)",
    "cuadernos": "abre los cuadernos en JupyterLab con el kernel de Nexos",
}


def command_of(argv: list[str]) -> str | None:
    """The command named in ``argv`` (its first word that is not an option), if it is one of ours."""
    word = next((a for a in argv if not a.startswith("-")), None)
    return word if word in COMMANDS else None


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The ``nexos`` parser: every command listed with its help line; ``command``'s own flags too."""
    parser = argparse.ArgumentParser(
        prog="nexos",
        description="Nexos: proyecciones de ingresos, espacio fiscal e inversión para los municipios de Guatemala.",
    )
    parser.add_argument("--version", action="version", version=f"nexos {__version__}")
    sub = parser.add_subparsers(dest="comando", metavar="COMANDO", title="comandos")
    for name, help in COMMANDS.items():
        if name == command:
            module = importlib.import_module(f"nexos_model.cli.{name}")  # lazy: only the command run (start-up)
            module.add_parser(sub, help)
        else:
            sub.add_parser(name, help=help)
    return parser


#: Exit status when the reader of our output went away (a shell's status for SIGPIPE).
CLOSED_PIPE = 141


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        parser = build_parser(command_of(argv))
        args = parser.parse_args(argv)
        if not getattr(args, "func", None):
            parser.print_help()
            return 0
        try:
            code = args.func(args)
        except NexosError as exc:
            for message in exc.messages:
                print(f"error: {message}", file=sys.stderr)
            return 1
        except KeyboardInterrupt:
            print("interrumpido: no quedó ningún archivo a medio escribir; los resultados anteriores siguen "
                  "como estaban", file=sys.stderr)
            return 130
        except OSError as exc:
            if isinstance(exc, BrokenPipeError):
                raise
            where = f"{exc.filename}: " if exc.filename else ""
            print(f"error: {where}{os_problem(exc)}", file=sys.stderr)
            return 1
        sys.stdout.flush()  # a closed pipe shows here, not at exit
        return code
    except BrokenPipeError:
        # The reader left (``| head``): say nothing more. Point stdout at /dev/null so Python's
        # own flush at exit does not complain either.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return CLOSED_PIPE

