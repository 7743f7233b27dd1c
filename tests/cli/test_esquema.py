"""``nexos esquema``."""

from __future__ import annotations

import json

from tests.support import nexos


def test_esquema_is_json_schema_with_spanish_keys():
    out = nexos("esquema")
    schema = json.loads(out.stdout)
    assert "tendencia" in schema["properties"]
