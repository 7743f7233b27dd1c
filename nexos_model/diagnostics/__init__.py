"""Diagnostics of the data and of the model: data quality, indicators beside peer medians, and
the accuracy of past projections (backtest)."""
