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
  max-width: 300px; background: #f7f9fc; box-sizing: border-box; }
.nexos-tarjeta .nexos-titulo { font-size: 0.85em; color: #555; }
.nexos-tarjeta .nexos-valor { font-size: 1.35em; font-weight: 600; color: #1f4e79; white-space: nowrap; }
.nexos-tarjeta .nexos-detalle { font-size: 0.8em; color: #666; }
.nexos-pestana-escenario { flex-wrap: wrap; align-items: flex-start; }
.nexos-panel { flex: 0 0 360px; width: 360px; max-width: 100%; border-right: 1px solid #e3e7ec;
  padding-right: 10px; box-sizing: border-box; }
.nexos-resultados { flex: 1 1 300px; min-width: 0; max-width: 100%; padding-left: 12px; box-sizing: border-box; }
.nexos-tarjetas > .widget-html { flex: 1 1 200px; max-width: 320px; min-width: 0; }
.nexos-tarjetas .nexos-tarjeta { width: 100%; max-width: none; min-width: 0; height: 100%; }
.nexos-app .widget-html-content { line-height: 1.35; }
.nexos-resultados > .widget-html, .nexos-resultados .widget-html-content { max-width: 100%; min-width: 0; }
.nexos-desactualizado .nexos-tarjeta, .nexos-desactualizado .nexos-vista { opacity: 0.45; }
.nexos-aviso-desactualizado { background: #fff4e0; color: #7a4500; border-left: 4px solid #e6892e;
  padding: 6px 10px; margin: 4px 0; font-weight: 600; }
.nexos-pregunta { background: #fff8e6; border: 1px solid #e6b800; border-radius: 6px; padding: 8px 12px; margin: 6px 0; }
.nexos-pregunta-texto { font-weight: 600; margin-bottom: 6px; }
.nexos-error-campo .nexos-error { color: #8a1c12; font-size: 0.82em; background: #fdecea; padding: 3px 6px;
  border-left: 3px solid #c0392b; margin: 2px 0; }
.nexos-unidad { font-size: 0.9em; color: #444; padding-left: 4px; }
.nexos-palanca .nexos-hoy { font-size: 0.8em; color: #1f4e79; }
.nexos-ley-lista { margin: 4px 0 8px 16px; padding: 0; font-size: 0.85em; }
.nexos-ley-lista li { margin-bottom: 4px; }
.nexos-ajustes { margin: 2px 0 6px 18px; padding: 0; font-size: 0.85em; color: #7a4500; }
.nexos-tabla th.nexos-anio-presupuesto, .nexos-tabla td.nexos-anio-presupuesto { background: #fff4d6; }
.nexos-app .widget-dropdown > select { max-width: 100%; }
.nexos-tabla td.nexos-texto { text-align: left; white-space: normal; }
.nexos-grupo { font-weight: 600; color: #1f4e79; margin-top: 8px; border-bottom: 1px solid #e3e7ec; }
.nexos-palanca { margin: 4px 0 6px; }
.nexos-palanca .nexos-etiqueta { font-size: 0.88em; line-height: 1.25; }
.nexos-palanca .nexos-origen { font-size: 0.75em; color: #777; }
.nexos-palanca.nexos-ajustada .nexos-origen { color: #b35c00; font-weight: 600; }
.nexos-vista { margin: 6px 0 14px; overflow-x: auto; max-width: 100%; }
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
.nexos-multiples { display: flex; flex-wrap: wrap; gap: 8px; }
.nexos-multiple { flex: 1 1 320px; max-width: 420px; min-width: 0; }
.nexos-cartera-fila { gap: 2px; align-items: center; }
.nexos-cartera-cabecera { font-size: 0.8em; font-weight: 600; color: #1f4e79; }
.nexos-enlace { font-weight: 600; }
/* narrow screens (800 px): last, so they win over the rules above */
@media (max-width: 1000px) {
  .nexos-panel { flex: 0 0 280px; width: 280px; }
  .nexos-tarjetas > .widget-html { flex: 1 1 190px; }
  .nexos-tarjeta .nexos-valor { font-size: 1.15em; }
  .nexos-app .nexos-tabla { font-size: 11px !important; }
  .nexos-app .nexos-tabla th, .nexos-app .nexos-tabla td { padding: 2px 4px !important; }
}
@media (max-width: 700px) {
  .nexos-panel { flex: 1 1 100%; width: 100%; border-right: none; padding-right: 0; }
  .nexos-resultados { flex: 1 1 100%; padding-left: 0; }
}
"""
