"""The checks of argument values: Spanish, and what they accept."""

from __future__ import annotations

import argparse

import pytest

from nexos_model.cli import flags


def test_integer_and_number_accept_their_range_only():
    port = flags.integer(1, 65535, "un puerto")
    assert port("8866") == 8866
    for bad in ["0", "70000", "x", "", "1.5", "9" * 5000]:
        with pytest.raises(argparse.ArgumentTypeError, match="se esperaba un puerto entre 1 y 65535"):
            port(bad)
    amount = flags.number(0, 1e12, "un monto", low_open=True)
    assert amount("1,000.5") == 1000.5
    for bad in ["0", "-1", "nan", "inf", "1e400", "x"]:
        with pytest.raises(argparse.ArgumentTypeError, match="se esperaba un monto mayor que 0 hasta"):
            amount(bad)


def test_lists_texts_and_assignments():
    formats = flags.listed(("html", "pdf", "xlsx"), "formatos")
    assert formats("html,.PDF") == "html,.PDF"
    with pytest.raises(argparse.ArgumentTypeError, match="uno o varios de html, pdf, xlsx"):
        formats("docx")
    with pytest.raises(argparse.ArgumentTypeError, match="se esperaba un código INE"):
        flags.municipality(" ")
    assert flags.assignment("tendencia.contraccion=0.3") == "tendencia.contraccion=0.3"
    with pytest.raises(argparse.ArgumentTypeError, match="--set clave: al final del valor: YAML mal formado"):
        flags.assignment("clave=[1,")
