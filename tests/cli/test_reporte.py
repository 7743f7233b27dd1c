"""``nexos reporte``: its flags and defaults."""

from __future__ import annotations

from nexos_model.cli.main import build_parser


def test_reporte_command_flags():
    parser = build_parser("reporte")
    args = parser.parse_args(["reporte", "--municipio", "0901", "--salida", "x",
                              "--set", "tendencia.contraccion=0.3"])
    assert (args.escenario, args.formato, args.set) == ("base", "html,pdf,xlsx", ["tendencia.contraccion=0.3"])
    assert callable(args.func)
