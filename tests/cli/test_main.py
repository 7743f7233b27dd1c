"""The ``nexos`` command as a whole: Spanish help for every command."""

from __future__ import annotations

from tests.support import nexos


def test_help_is_spanish_everywhere():
    out = nexos("--help")
    assert out.returncode == 0 and "uso: nexos" in out.stdout and "comandos" in out.stdout
    for command in ["municipios", "validar", "calidad", "esquema", "proyectar"]:
        sub = nexos(command, "--help")
        assert sub.returncode == 0 and "uso:" in sub.stdout and "muestra esta ayuda" in sub.stdout, command
