"""Questions asked of the model beyond one run, on the same data and parameters as ``run()``.

- :mod:`.comparison`: one municipality under several scenarios side by side; tornado and Sobol'
  sensitivity of an outcome.
- :mod:`.backtest`: project from data up to a year and compare with what happened after it.
- :mod:`.aporte`: the art. 119 allocation of a national pool among all municipalities.
"""
