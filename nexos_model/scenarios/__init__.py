"""Uncertainty and scenarios: seeded Monte Carlo draws, percentile summaries, sensitivity.

- :mod:`.sampling`: seeded, chunkable draws through a Gaussian copula (specs from
  :mod:`nexos_model.params.distributions`).
- :mod:`.summary`: percentile and probability tables (exact, or streamed by chunks).
- :mod:`.montecarlo`: the projection core over many draws, summarized chunk by chunk.
- :mod:`.sensitivity`: tornado and Sobol' indices over a vectorized model.
"""
