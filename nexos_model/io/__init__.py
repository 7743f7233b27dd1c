"""Files: reading what users bring and what the package ships, writing results atomically.

- :mod:`.tables`: any CSV/XLSX as strings, whatever noise surrounds the header; amounts.
- :mod:`.sicoin`: the SICOIN GL / Portal de Gobiernos Locales revenue export.
- :mod:`.bundled`: the data files bundled with the package; :mod:`.history`: the revenue
  history a run projects (bundled, a user's export, or both).
- :mod:`.portfolio`: portfolio files (YAML, CSV, XLSX) and the illustrative portfolio's data.
- :mod:`.files`: atomic writes; :mod:`.writers`: tables by extension; :mod:`.excel`: formatted
  workbooks.
"""
