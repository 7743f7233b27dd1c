"""Parameters: every key a user may write, with its label, unit, range, source and role.

- :mod:`.fields`, :mod:`.keys`: a field with its metadata; dotted Spanish keys over the schema.
- :mod:`.schema` (with :mod:`.revenue_schema`, :mod:`.fiscal_schema`, :mod:`.investment_schema`).
- :mod:`.distributions`, :mod:`.uncertainty`: the distributions of uncertain parameters.
- :mod:`.loader`: layered YAML (defaults < municipality < scenario < overrides) with provenance.
- :mod:`.values`: values as the model reads them, with draws; :mod:`.changes`: a scenario's
  changes from the defaults, for the report annex.
"""
