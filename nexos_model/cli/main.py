"""The ``nexos`` command: Spanish flags and messages; a user error exits 1 without a traceback."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from nexos_model.errors import NexosError
from nexos_model.cli.fiscal import add_fiscal_commands
from nexos_model.cli.escenarios import add_scenario_commands
from nexos_model.cli.reporte import add_reporte_command
from nexos_model.app.server import add_app_command
from nexos_model.cli.planificar import add_planificar_command
from nexos_model.cli.lote import add_lote_command

_ARGPARSE_ES = {
    "usage: ": "uso: ",
    "options": "opciones",
    "positional arguments": "argumentos",
    "show this help message and exit": "muestra esta ayuda y termina",
    "the following arguments are required: %s": "faltan los argumentos obligatorios: %s",
    "unrecognized arguments: %s": "argumentos no reconocidos: %s",
    "invalid choice: %(value)r (choose from %(choices)s)": "opción no válida: %(value)r (elija entre %(choices)s)",
    "argument %(argument_name)s: %(message)s": "argumento %(argument_name)s: %(message)s",
    "expected one argument": "se esperaba un valor",
    "invalid %(type)s value: %(value)r": "valor no válido (%(type)s): %(value)r",
    "%(prog)s: error: %(message)s\n": "%(prog)s: error: %(message)s\n",
    "ambiguous option: %(option)s could match %(matches)s": "opción ambigua: %(option)s puede ser %(matches)s",
}


def _translate(text: str) -> str:
    return _ARGPARSE_ES.get(text, text)


argparse._ = _translate  # argparse looks its messages up through this module-level function


def _command_municipios(args: argparse.Namespace) -> int:
    from nexos_model.io.bundled import load_municipalities

    table = load_municipalities()
    if args.departamento:
        table = table.loc[table["departamento_codigo"] == args.departamento.zfill(2)]
    for row in table.itertuples():
        print(f"{row.municipio}  {row.nombre} ({row.departamento})  población 2018: {row.poblacion:,}")
    print(f"{len(table)} municipios")
    return 0


def _command_esquema(args: argparse.Namespace) -> int:
    from nexos_model.params.schema import Parameters

    print(json.dumps(Parameters.model_json_schema(by_alias=True), ensure_ascii=False, indent=2))
    return 0


def _command_validar(args: argparse.Namespace) -> int:
    from nexos_model.cli.validar import validate_paths

    problems = validate_paths([Path(p) for p in args.rutas])
    for path in args.rutas:
        if not any(m.startswith(str(path)) for m in problems):
            print(f"{path}: correcto")
    if problems:
        for message in problems:
            print(message, file=sys.stderr)
        return 1
    return 0


def _command_calidad(args: argparse.Namespace) -> int:
    from nexos_model.api import load_history, resolve_municipios
    from nexos_model.params.loader import load_parameters
    from nexos_model.diagnostics.quality import diagnose

    settings = load_parameters(None, "base").params
    history = load_history(args.datos, args.solo_datos)
    years = sorted(history["anio"].unique().tolist())  # expected years: those of the whole file
    if args.municipio:
        codes = resolve_municipios(args.municipio)
        history = history.loc[history["municipio"].isin(codes)]
    findings = diagnose(history, years, settings.quality.outlier_factor,
                        settings.quality.outlier_floor, settings.projection.measure)
    if args.salida:
        from nexos_model.io.writers import write_table

        write_table(findings, Path(args.salida))
        print(f"{len(findings)} observaciones escritas en {args.salida}")
    else:
        for row in findings.itertuples():
            print(f"{row.municipio} {row.anio} {row.tipo}: {row.mensaje}")
        print(f"{len(findings)} observaciones en {history['municipio'].nunique()} municipios")
    return 0


def _command_proyectar(args: argparse.Namespace) -> int:
    from nexos_model.api import run
    from nexos_model.io.writers import write_result_tables
    from nexos_model.report.summary import headline_lines

    result = run(args.municipio, args.escenario, overrides=args.set or None,
                 datos=args.datos, solo_datos=args.solo_datos, simulaciones=args.simulaciones,
                 semilla=args.semilla)
    written = write_result_tables(result.tables(), args.salida)
    years = result.projection["anio"]
    print(f"Proyección de {len(result.municipios)} municipio(s), escenario '{args.escenario}', "
          f"{years.min()}-{years.max()}:")
    for item in written:
        print(f"  {item}")
    if len(result.municipios) == 1:
        for line in headline_lines(result):
            print(f"  {line}")
    if args.simulaciones:
        print(f"  Monte Carlo: {args.simulaciones} simulaciones, semilla {args.semilla} (percentiles p05-p95 y "
              f"probabilidades en las tablas 'percentiles' y 'probabilidades').")
    for code, notes in result.notes.items():
        for note in notes:
            print(f"  aviso {code}: {note}")
    return 0


def _command_backtest(args: argparse.Namespace) -> int:
    from nexos_model.diagnostics.backtest import backtest, error_summary, naive_forecast
    from nexos_model.io.writers import write_table
    from nexos_model.wording import porcentaje

    table = backtest(args.hasta, args.escenario, overrides=args.set or None, datos=args.datos,
                     simulaciones=args.simulaciones, semilla=args.semilla)
    naive = naive_forecast(table, args.hasta, args.datos)
    write_table(table, Path(args.salida))
    ours, base = error_summary(table), error_summary(naive).set_index("concepto")
    print(f"Backtest desde datos hasta {args.hasta}, años {table['anio'].min()}-{table['anio'].max()}, "
          f"{table['municipio'].nunique()} municipios: {args.salida}")
    print(f"{'concepto':<55} {'casos':>6} {'error mediano':>14} {'±10 %':>8} {'ingenuo':>9} {'±10 %':>8}")
    for row in ours.itertuples():
        ref = base.loc[row.concepto]
        print(f"{row.etiqueta:<55} {row.casos:>6} {porcentaje(row.mdape):>14} {porcentaje(row.dentro_10):>8} "
              f"{porcentaje(ref.mdape):>9} {porcentaje(ref.dentro_10):>8}")
    print("error mediano = mediana del error porcentual absoluto; ingenuo = repetir el último valor")
    if args.simulaciones:
        from nexos_model.diagnostics.backtest import interval_coverage

        for row in interval_coverage(table).itertuples():
            print(f"Ingresos propios {row.anio}: el valor real cayó dentro de la banda p10-p90 en "
                  f"{porcentaje(row.dentro_p10_p90)} de {row.casos} municipios (meta ≈ 80 %; debajo "
                  f"{porcentaje(row.debajo)}, encima {porcentaje(row.encima)}).")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nexos",
        description="Nexos: proyecciones de ingresos, espacio fiscal e inversión para los municipios de Guatemala.",
    )
    sub = parser.add_subparsers(dest="comando", metavar="COMANDO", title="comandos")

    p = sub.add_parser("municipios", help="lista los municipios de los datos incluidos",
                       description="Lista los 340 municipios con su código INE y población del Censo 2018.")
    p.add_argument("--departamento", metavar="CÓDIGO", help="solo los de un departamento (p. ej. 09)")
    p.set_defaults(func=_command_municipios)

    p = sub.add_parser("esquema", help="imprime el esquema JSON de los parámetros",
                       description="Imprime el JSON Schema de los parámetros (para editores de YAML).")
    p.set_defaults(func=_command_esquema)

    p = sub.add_parser("validar", help="valida archivos de parámetros o de datos",
                       description="Valida archivos de parámetros (YAML) o de datos (CSV/XLSX); "
                                   "lista todos los errores y termina con estado 1 si hay alguno.")
    p.add_argument("rutas", nargs="+", metavar="RUTA", help="archivos a validar")
    p.set_defaults(func=_command_validar)

    def data_flags(p: argparse.ArgumentParser) -> None:
        p.add_argument("--datos", metavar="ARCHIVO",
                       help="exportación de SICOIN GL / Portal de Gobiernos Locales (CSV o XLSX) "
                            "que reemplaza, por año, los datos incluidos")
        p.add_argument("--solo-datos", action="store_true",
                       help="usar solo el archivo de --datos, sin los datos incluidos")

    p = sub.add_parser("calidad", help="diagnóstico de calidad de los datos",
                       description="Lista, por municipio, año y línea, lo dudoso de los datos: años "
                                   "faltantes, montos negativos, líneas duplicadas y valores implausibles.")
    p.add_argument("--municipio", metavar="CÓDIGO", help="código INE, lista separada por comas o depto:DD")
    data_flags(p)
    p.add_argument("--salida", metavar="ARCHIVO", help="escribir las observaciones (.csv, .xlsx, .parquet)")
    p.set_defaults(func=_command_calidad)

    p = sub.add_parser("proyectar", help="proyecta uno o varios municipios",
                       description="Proyecta los ingresos de uno o varios municipios bajo un escenario "
                                   "y escribe la tabla (.csv, .xlsx o .parquet según la extensión).")
    p.add_argument("--municipio", required=True, metavar="CÓDIGO",
                   help="código INE (p. ej. 0901), lista separada por comas, depto:DD o 'todos'")
    p.add_argument("--escenario", default="base", metavar="NOMBRE", help="escenario (por defecto: base)")
    p.add_argument("--set", action="append", metavar="CLAVE=VALOR",
                   help="ajuste de un parámetro, p. ej. --set tendencia.contraccion=0.3 (repetible)")
    data_flags(p)
    p.add_argument("--simulaciones", type=int, default=0, metavar="N",
                   help="simulaciones de Monte Carlo (0 = solo la proyección central)")
    p.add_argument("--semilla", type=int, default=2026, metavar="S", help="semilla de Monte Carlo (por defecto 2026)")
    p.add_argument("--salida", required=True, metavar="ARCHIVO", help="archivo de resultados")
    p.set_defaults(func=_command_proyectar)

    p = sub.add_parser("backtest", help="mide el error de la proyección en años ya observados",
                       description="Proyecta todos los municipios con datos hasta un año y compara con lo "
                                   "observado después; escribe municipio, concepto, anio, prediccion, real "
                                   "e imprime el error frente al pronóstico ingenuo (último valor).")
    p.add_argument("--hasta", required=True, type=int, metavar="AÑO", help="último año de datos usado (p. ej. 2018)")
    p.add_argument("--escenario", default="base", metavar="NOMBRE", help="escenario (por defecto: base)")
    p.add_argument("--set", action="append", metavar="CLAVE=VALOR", help="ajuste de un parámetro (repetible)")
    p.add_argument("--datos", metavar="ARCHIVO", help="exportación propia sobre los datos incluidos")
    p.add_argument("--simulaciones", type=int, default=0, metavar="N",
                   help="con N > 0, mide cuántas veces el valor real cae en la banda p10-p90")
    p.add_argument("--semilla", type=int, default=2026, metavar="S", help="semilla de Monte Carlo")
    p.add_argument("--salida", required=True, metavar="ARCHIVO", help="archivo de resultados")
    p.set_defaults(func=_command_backtest)

    add_fiscal_commands(sub)
    add_scenario_commands(sub)
    add_reporte_command(sub)
    add_app_command(sub)
    add_planificar_command(sub)
    add_lote_command(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    try:
        return args.func(args)
    except NexosError as exc:
        for message in exc.messages:
            print(f"error: {message}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrumpido: no quedó ningún archivo a medio escribir", file=sys.stderr)
        return 130

