"""``nexos lote``: flags, defaults and bad arguments."""

from __future__ import annotations

from nexos_model.cli.main import build_parser
from tests.support import nexos


def test_lote_command_flags():
    parser = build_parser("lote")
    args = parser.parse_args(["lote", "--municipios", "todos", "--salida", "x"])
    assert (args.escenarios, args.formato, args.motor, args.trabajos, args.aislado, args.forzar) == (
        "base", "html,xlsx", "local", None, False, False)
    out = nexos("lote", "--municipios", "0901", "--salida", "x", "--trabajos", "0")
    assert out.returncode == 2 and "--trabajos: valor no válido '0' (se esperaba un número de trabajos entre 1" in out.stderr
    out = nexos("lote", "--municipios", "0901", "--escenarios", "pesimsta", "--salida", "x")
    assert out.returncode == 1 and "¿quiso decir 'pesimista'?" in out.stderr and "Traceback" not in out.stderr
