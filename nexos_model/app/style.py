"""The app's stylesheet, injected as a ``<style>`` element so it works in Voilà and in JupyterLab.

Classes are stable (``nexos-*``) so tests and users' own CSS can rely on them. Series colours
differ in tone as well as hue, so charts stay readable in grey.
"""

CSS = """
.nexos-app { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #222; }
.nexos-app h1 { font-size: 1.45em; margin: 0.2em 0 0.1em; color: #1f4e79; }
.nexos-app h3 { font-size: 1.1em; margin: 0.6em 0 0.3em; color: #1f4e79; }
.nexos-app h4 { font-size: 1em; margin: 0.6em 0 0.2em; }
.nexos-subtitulo { color: #555; font-size: 0.95em; }
.nexos-mensaje .nexos-error, .nexos-aviso .nexos-error { background: #fdecea; color: #8a1c12;
  border-left: 4px solid #c0392b; padding: 6px 10px; margin: 4px 0; }
.nexos-mensaje .nexos-info, .nexos-aviso .nexos-info { background: #eaf2fb; color: #1f4e79;
  border-left: 4px solid #1f4e79; padding: 6px 10px; margin: 4px 0; }
.nexos-tarjetas { flex-wrap: wrap; gap: 8px; }
.nexos-tarjeta { border: 1px solid #d5dde6; border-radius: 8px; padding: 8px 12px; min-width: 200px;
  background: #f7f9fc; }
.nexos-tarjeta .nexos-titulo { font-size: 0.85em; color: #555; }
.nexos-tarjeta .nexos-valor { font-size: 1.35em; font-weight: 600; color: #1f4e79; white-space: nowrap; }
.nexos-tarjeta .nexos-detalle { font-size: 0.8em; color: #666; }
.nexos-panel { border-right: 1px solid #e3e7ec; padding-right: 10px; }
.nexos-grupo { font-weight: 600; color: #1f4e79; margin-top: 8px; border-bottom: 1px solid #e3e7ec; }
.nexos-palanca { margin: 4px 0 6px; }
.nexos-palanca .nexos-etiqueta { font-size: 0.88em; line-height: 1.25; }
.nexos-palanca .nexos-origen { font-size: 0.75em; color: #777; }
.nexos-palanca.nexos-ajustada .nexos-origen { color: #b35c00; font-weight: 600; }
.nexos-vista { margin: 6px 0 14px; overflow-x: auto; }
.nexos-tabla { border-collapse: collapse; font-size: 0.85em; margin: 4px 0; }
.nexos-tabla th { background: #eef2f7; text-align: left; padding: 3px 8px; border-bottom: 1px solid #c8d2dc; }
.nexos-tabla td { padding: 3px 8px; border-bottom: 1px solid #eceff3; text-align: right; white-space: nowrap; }
.nexos-tabla td:first-child { text-align: left; white-space: normal; }
.nexos-reglas tr.nexos-cumple td:first-child { border-left: 6px solid #2e7d32; }
.nexos-reglas tr.nexos-incumple td:first-child { border-left: 6px solid #c62828; }
.nexos-reglas td { text-align: left; white-space: normal; }
.nexos-reglas td:first-child { min-width: 200px; }
.nexos-reglas td.nexos-cumple { background: #e6f4ea; color: #2e7d32; text-align: center; }
.nexos-reglas td.nexos-incumple { background: #fdecea; color: #c62828; text-align: center; font-weight: 700; }
.nexos-reglas td.nexos-riesgo { background: #fff4e0; color: #9a5b00; text-align: center; }
li.nexos-incumple { color: #8a1c12; font-size: 0.85em; }
.nexos-nota { font-size: 0.8em; color: #666; }
.nexos-grafico { margin: 4px 0; max-width: 760px; }
.nexos-grafico figcaption { font-weight: 600; font-size: 0.9em; }
.nexos-grafico svg { width: 100%; height: auto; }
.nexos-cartera-fila { gap: 2px; align-items: center; }
.nexos-cartera-cabecera { font-size: 0.8em; font-weight: 600; color: #1f4e79; }
.nexos-enlace { font-weight: 600; }
"""
