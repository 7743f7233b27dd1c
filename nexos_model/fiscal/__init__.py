"""The budget around own revenue: transfers under their legal formulas, operating spending, INFOM
debt, the yearly fiscal space by funding source, and the legal rules checked on it."""
