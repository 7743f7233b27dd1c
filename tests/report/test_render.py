"""Rendering the report: an unknown format and a missing chromium are Spanish errors before any work."""

from __future__ import annotations

import pytest

from nexos_model.errors import NexosError
from nexos_model.report import render


def test_unknown_format_and_missing_chromium(monkeypatch, tmp_path):
    with pytest.raises(NexosError, match="formato no admitido: docx"):
        render.render_report("0901", formats="html,docx", out_dir=tmp_path)
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("NEXOS_CHROMIUM", raising=False)
    with pytest.raises(NexosError, match="instale chromium con scripts/install-system.sh"):
        render.render_report("0901", formats="pdf", out_dir=tmp_path)
