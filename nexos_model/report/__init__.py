"""Council reports and the workbooks' helpers.

- :mod:`.svg`: the chart engine (inline SVG); :mod:`.figures` and :mod:`.gantt`: the charts.
- :mod:`.summary`: the sentences and tables of each report section, and the Excel sheets.
- :mod:`.notebook`: one-line helpers the workbooks call.
- :mod:`.render`: execute the report workbook, render HTML; :mod:`.chromium`: PDF and chart files.
"""
