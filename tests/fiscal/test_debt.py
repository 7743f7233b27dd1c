"""Loans: schedules checked against numpy_financial, accounting identities, borrowing capacity."""

import numpy as np
import numpy_financial as npf
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

from nexos_model.errors import ParameterError
from nexos_model.fiscal.debt import (
    annual_debt_service,
    borrowing_capacity,
    debt_service_by_year,
    loan_schedule,
)

YEARS = np.arange(2024, 2036)


# --- A case a finance officer can check by hand ------------------------------------------------
#
# Q1,000,000 at 8 % a year, 3 years, French (level) annual payments, taken in 2024.
#   cuota = 1,000,000 x 0.08 / (1 - 1.08^-3) = 1,000,000 x 0.08 / 0.2061678 = Q388,033.51
#
#   año   saldo inicial   interés (8 %)   amortización    saldo final
#   2024   1,000,000.00      80,000.00     308,033.51     691,966.49
#   2025     691,966.49      55,357.32     332,676.20     359,290.29
#   2026     359,290.29      28,743.22     359,290.29           0.00
#   total                   164,100.54   1,000,000.00
#
# (interés = 0.08 x saldo inicial; amortización = cuota - interés.)


def test_hand_computed_french_annual():
    s = loan_schedule(1_000_000, 0.08, 3, method="frances", start_year=2024)
    assert list(s["anio"]) == [2024, 2025, 2026]
    assert s["cuota"].round(2).tolist() == [388_033.51] * 3
    assert s["interes"].round(2).tolist() == [80_000.00, 55_357.32, 28_743.22]
    assert s["amortizacion"].round(2).tolist() == [308_033.51, 332_676.20, 359_290.29]
    assert s["saldo_final"].round(2).tolist() == [691_966.49, 359_290.29, 0.00]
    assert round(s["interes"].sum(), 2) == 164_100.54


# --- French = numpy_financial pmt / ipmt / ppmt ------------------------------------------------

FRENCH_CASES = [
    # principal, annual rate, term, grace, payments per year
    (1_000_000, 0.08, 3, 0, 1),
    (2_500_000, 0.08, 4, 0, 12),
    (750_000, 0.12, 10, 0, 4),
    (5_000_000, 0.065, 15, 0, 2),
    (1_000_000, 0.08, 5, 1, 1),
    (3_000_000, 0.09, 8, 2, 12),
]


@pytest.mark.parametrize("principal, rate, term, grace, ppy", FRENCH_CASES)
def test_french_matches_numpy_financial(principal, rate, term, grace, ppy):
    s = loan_schedule(principal, rate, term, grace, "frances", ppy)
    r, g, n = rate / ppy, grace * ppy, term * ppy
    # Grace: interest only on the full balance.
    grace_rows = s.iloc[:g]
    assert (grace_rows["amortizacion"] == 0).all()
    np.testing.assert_allclose(grace_rows["interes"], principal * r)
    # After grace: an ordinary French loan over the remaining periods.
    after = s.iloc[g:]
    per = np.arange(1, n - g + 1)
    cuota = -npf.pmt(r, n - g, principal)
    assert (after["cuota"].round(2) == round(cuota, 2)).all()
    assert (after["interes"].round(2).to_numpy() == (-npf.ipmt(r, per, n - g, principal)).round(2)).all()
    assert (after["amortizacion"].round(2).to_numpy() == (-npf.ppmt(r, per, n - g, principal)).round(2)).all()


def test_french_zero_rate_is_equal_instalments():
    s = loan_schedule(1_200_000, 0.0, 2, payments_per_year=12)
    np.testing.assert_allclose(s["cuota"], 50_000)
    assert (s["interes"] == 0).all()


# --- German = level principal ------------------------------------------------------------------


@pytest.mark.parametrize("grace, ppy", [(0, 1), (0, 12), (1, 4), (2, 1)])
def test_german_level_principal(grace, ppy):
    principal, rate, term = 2_000_000, 0.08, 6
    s = loan_schedule(principal, rate, term, grace, "aleman", ppy)
    amort = s["amortizacion"].to_numpy()[grace * ppy:]
    np.testing.assert_allclose(amort, principal / ((term - grace) * ppy), rtol=1e-12)
    assert s["amortizacion"].sum() == pytest.approx(principal, rel=1e-12)
    # Interest accrues on the balance at the start of the period.
    np.testing.assert_allclose(s["interes"], rate / ppy * s["saldo_inicial"], rtol=1e-12)


# --- Identities for both methods ---------------------------------------------------------------


@pytest.mark.parametrize("method", ["frances", "aleman"])
@pytest.mark.parametrize("ppy", [1, 2, 4, 12])
def test_schedule_identities(method, ppy):
    principal = 4_321_000
    s = loan_schedule(principal, 0.085, 7, 1, method, ppy, start_year=2025)
    assert list(s.columns) == [
        "periodo", "anio", "saldo_inicial", "desembolso", "interes", "amortizacion", "cuota", "saldo_final",
    ]
    assert list(s["periodo"]) == list(range(1, 7 * ppy + 1))
    assert s["anio"].min() == 2025 and s["anio"].max() == 2031
    assert s["amortizacion"].sum() == pytest.approx(principal, rel=1e-12)
    assert s["desembolso"].sum() == pytest.approx(principal, rel=1e-12)
    assert (s["saldo_final"] >= -1e-6).all()
    assert abs(s["saldo_final"].iloc[-1]) < 1e-6
    np.testing.assert_allclose(s["cuota"], s["interes"] + s["amortizacion"])
    np.testing.assert_allclose(s["saldo_final"], s["saldo_inicial"] - s["amortizacion"])
    # Each period opens with the previous closing balance plus that period's disbursement.
    np.testing.assert_allclose(
        s["saldo_inicial"].iloc[1:], s["saldo_final"].iloc[:-1].to_numpy() + s["desembolso"].iloc[1:]
    )

    annual = annual_debt_service(s)
    assert list(annual["anio"]) == list(range(2025, 2032))
    for column in ["interes", "amortizacion", "desembolso"]:
        assert annual[column].sum() == pytest.approx(s[column].sum(), rel=1e-12)
    np.testing.assert_allclose(annual["servicio"], annual["interes"] + annual["amortizacion"])
    assert annual["servicio"].sum() == pytest.approx(s["cuota"].sum(), rel=1e-12)
    np.testing.assert_allclose(annual["saldo_final"], s.groupby("anio")["saldo_final"].last())


def test_disbursement_during_grace():
    # 40 % in 2024, 60 % in 2025, two years of grace, then French over 2 years.
    s = loan_schedule(1_000_000, 0.08, 4, 2, "frances", 1, 2024, {2024: 0.4, 2025: 0.6})
    assert s["desembolso"].tolist() == [400_000, 600_000, 0, 0]
    assert s["interes"].round(2).tolist()[:2] == [32_000.00, 80_000.00]  # only on what was disbursed
    assert (s["amortizacion"].iloc[:2] == 0).all()
    cuota = -npf.pmt(0.08, 2, 1_000_000)
    assert s["cuota"].iloc[2:].round(2).tolist() == [round(cuota, 2)] * 2
    assert s["amortizacion"].sum() == pytest.approx(1_000_000)
    assert abs(s["saldo_final"].iloc[-1]) < 1e-6


def test_disbursement_with_quarterly_payments_lands_on_first_period_of_year():
    s = loan_schedule(800_000, 0.08, 3, 1, "aleman", 4, 2024, {2024: 1.0})
    assert s["desembolso"].tolist()[:2] == [800_000, 0]


# --- Property tests ----------------------------------------------------------------------------

loans = st.tuples(
    st.floats(1e3, 1e9),
    st.floats(0.0, 0.3),
    st.integers(1, 30),
    st.sampled_from(["frances", "aleman"]),
    st.sampled_from([1, 2, 4, 12]),
    st.data(),
)


@settings(max_examples=60, deadline=None)
@given(loans)
def test_properties_of_any_valid_loan(loan):
    principal, rate, term, method, ppy, data = loan
    grace = data.draw(st.integers(0, term - 1))
    s = loan_schedule(principal, rate, term, grace, method, ppy)
    values = s[["saldo_inicial", "desembolso", "interes", "amortizacion", "cuota", "saldo_final"]]
    assert np.isfinite(values.to_numpy()).all()
    balance = s["saldo_final"].to_numpy()[grace * ppy:]
    assert (np.diff(balance) <= 1e-6 * principal).all()
    assert (s["saldo_final"] >= -1e-6 * principal).all()
    assert s["amortizacion"].sum() == pytest.approx(principal, rel=1e-9)
    assert abs(s["saldo_final"].iloc[-1]) <= 1e-6


# --- Vectorized path = DataFrame path ----------------------------------------------------------


@pytest.mark.parametrize("method, grace, ppy", [("frances", 0, 1), ("frances", 1, 12), ("aleman", 2, 4)])
def test_vectorized_equals_dataframe_path(method, grace, ppy):
    principals = np.array([500_000.0, 1_000_000.0, 7_300_000.0])
    rates = np.array([0.0, 0.08, 0.11])
    got = debt_service_by_year(principals, rates, 5, grace, method, ppy, YEARS, 2026)
    assert got.interest.shape == got.amortization.shape == (3, YEARS.size)
    for i, (p, r) in enumerate(zip(principals, rates)):
        annual = annual_debt_service(loan_schedule(p, r, 5, grace, method, ppy, 2026)).set_index("anio")
        expected = annual.reindex(YEARS, fill_value=0.0)
        np.testing.assert_allclose(got.interest[i], expected["interes"], rtol=1e-12, atol=1e-9)
        np.testing.assert_allclose(got.amortization[i], expected["amortizacion"], rtol=1e-12, atol=1e-9)
        np.testing.assert_allclose(got.balance[i], expected["saldo_final"], rtol=1e-12, atol=1e-9)


def test_vectorized_broadcasts_scalar_rate_and_outside_years_are_zero():
    got = debt_service_by_year(np.array([1e6, 2e6]), 0.08, 3, 0, "frances", 1, YEARS, 2024)
    np.testing.assert_allclose(got.interest[1], 2 * got.interest[0])
    assert (got.interest[:, 3:] == 0).all() and (got.amortization[:, 3:] == 0).all()
    np.testing.assert_allclose(got.amortization.sum(axis=1), [1e6, 2e6])


# --- Borrowing capacity ------------------------------------------------------------------------


def _service_per_quetzal(rate, term, grace, method, ppy, start):
    s = debt_service_by_year(1.0, rate, term, grace, method, ppy, YEARS, start)
    return (s.interest + s.amortization)[0]


@pytest.mark.parametrize("method", ["frances", "aleman"])
def test_capacity_with_constant_room_uses_the_room_in_the_binding_year(method):
    room = np.full(YEARS.size, 400_000.0)
    cap = borrowing_capacity(room, 0.08, 5, 0, method, 1, YEARS, 2024)
    assert cap["plazo"] == 5  # longer is cheaper per year at a positive rate
    spq = _service_per_quetzal(0.08, cap["plazo"], 0, method, 1, 2024)
    binding = list(YEARS).index(cap["anio_limitante"])
    assert cap["monto"] * spq[binding] == pytest.approx(400_000.0, rel=1e-12)
    assert (cap["monto"] * spq <= 400_000.0 * (1 + 1e-12)).all()
    if method == "aleman":
        assert cap["anio_limitante"] == 2024  # German service is highest in the first year
    else:
        # French: Q400,000 a year for 5 years at 8 % = 400,000 / 0.2504565 = Q1,597,084.
        assert cap["monto"] == pytest.approx(npf.pv(0.08, 5, -400_000.0), rel=1e-12)


def test_capacity_term_shrinks_to_the_mayors_term():
    room = np.full(YEARS.size, 400_000.0)
    free = borrowing_capacity(room, 0.08, 10, 0, "frances", 1, YEARS, 2024)
    capped = borrowing_capacity(room, 0.08, 10, 0, "frances", 1, YEARS, 2024, term_limit_year=2027)
    assert free["plazo"] == 10
    assert capped["plazo"] == 4  # 2024..2027
    assert capped["monto"] < free["monto"]
    assert capped["monto"] == pytest.approx(npf.pv(0.08, 4, -400_000.0), rel=1e-12)
    schedule = loan_schedule(capped["monto"], 0.08, capped["plazo"], start_year=2024)
    assert schedule["anio"].max() <= 2027


def test_capacity_binds_in_the_tightest_year():
    room = np.full(YEARS.size, 400_000.0)
    room[0] = 100_000.0  # 2024 is tight, and every term pays in 2024
    cap = borrowing_capacity(room, 0.08, 3, 0, "aleman", 1, YEARS, 2024)
    assert cap["anio_limitante"] == 2024 and cap["plazo"] == 3
    spq = _service_per_quetzal(0.08, cap["plazo"], 0, "aleman", 1, 2024)
    assert cap["monto"] * spq[0] == pytest.approx(100_000.0, rel=1e-12)
    assert (cap["monto"] * spq <= room * (1 + 1e-12)).all()


def test_capacity_picks_the_term_that_borrows_most():
    # No room at all in 2025 (existing debt already exceeds the limit): only a loan repaid
    # within 2024 fits. 1 year at 8 %: Q300,000 / 1.08 = Q277,777.78.
    room = np.full(YEARS.size, 300_000.0)
    room[1] = -50_000.0
    cap = borrowing_capacity(room, 0.08, 4, 0, "frances", 1, YEARS, 2024)
    assert cap["plazo"] == 1 and cap["anio_limitante"] == 2024
    assert round(cap["monto"], 2) == 277_777.78


def test_zero_or_negative_room_gives_zero():
    zero = borrowing_capacity(np.zeros(YEARS.size), 0.08, 4, 0, "frances", 1, YEARS, 2024)
    assert zero["monto"] == 0.0 and zero["anio_limitante"] == 2024
    room = np.full(YEARS.size, 300_000.0)
    room[0] = -50_000.0  # the first payment year has no room: no term can avoid it
    negative = borrowing_capacity(room, 0.08, 4, 0, "frances", 1, YEARS, 2024)
    assert negative["monto"] == 0.0 and negative["anio_limitante"] == 2024


def test_no_admissible_term_gives_zero():
    room = np.full(YEARS.size, 300_000.0)
    cap = borrowing_capacity(room, 0.08, 4, 0, "frances", 1, YEARS, 2024, term_limit_year=2023)
    assert cap == {"monto": 0.0, "plazo": 0, "anio_limitante": None}


def test_capacity_vectorized_over_draws_matches_one_at_a_time():
    rates = np.array([0.06, 0.08, 0.10])
    room = np.vstack([np.full(YEARS.size, r) for r in (200_000.0, 300_000.0, 400_000.0)])
    many = borrowing_capacity(room, rates, 4, 1, "aleman", 12, YEARS, 2024, term_limit_year=2027)
    for i in range(3):
        one = borrowing_capacity(room[i], rates[i], 4, 1, "aleman", 12, YEARS, 2024, term_limit_year=2027)
        assert many["monto"][i] == pytest.approx(one["monto"], rel=1e-12)
        assert many["plazo"][i] == one["plazo"]
        assert many["anio_limitante"][i] == one["anio_limitante"]


# --- Validation --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs, field",
    [
        (dict(principal=-1.0), "prestamo.monto"),
        (dict(annual_rate=-0.01), "prestamo.tasa_interes"),
        (dict(annual_rate=8.0), "prestamo.tasa_interes"),  # percent instead of fraction
        (dict(term_years=0), "prestamo.plazo"),
        (dict(term_years=3, grace_years=3), "prestamo.periodo_gracia"),
        (dict(payments_per_year=3), "prestamo.pagos_por_anio"),
        (dict(method="americano"), "prestamo.metodo"),
        (dict(grace_years=1, disbursement={2024: 0.5, 2025: 0.4}), "prestamo.desembolso"),
        (dict(grace_years=1, disbursement={2030: 1.0}), "prestamo.desembolso"),
    ],
)
def test_invalid_parameters_raise_spanish_errors(kwargs, field):
    args = dict(principal=1e6, annual_rate=0.08, term_years=3, start_year=2024) | kwargs
    with pytest.raises(ParameterError) as excinfo:
        loan_schedule(**args)
    message = str(excinfo.value)
    assert message.startswith(field + ":") or f"\n{field}:" in message
    assert "valor dado" in message or "valor esperado" in message


def test_term_message_matches_the_documented_wording():
    with pytest.raises(ParameterError) as excinfo:
        loan_schedule(1e6, 0.08, 0)
    assert excinfo.value.messages == [
        "prestamo.plazo: debe ser un número entero de años, al menos 1 año (valor dado: 0)"
    ]


def test_all_errors_reported_at_once():
    with pytest.raises(ParameterError) as excinfo:
        loan_schedule(-5, -0.1, 0, method="x", payments_per_year=5)
    fields = {m.split(":")[0] for m in excinfo.value.messages}
    assert fields == {
        "prestamo.monto", "prestamo.tasa_interes", "prestamo.plazo", "prestamo.metodo", "prestamo.pagos_por_anio",
    }


def test_vectorized_and_capacity_validate_too():
    with pytest.raises(ParameterError, match="prestamo.tasa_interes"):
        debt_service_by_year(1e6, np.array([0.08, -0.02]), 3, 0, "frances", 1, YEARS, 2024)
    with pytest.raises(ParameterError, match="prestamo.plazo_maximo"):
        borrowing_capacity(np.ones(YEARS.size), 0.08, 0, 0, "frances", 1, YEARS, 2024)
    with pytest.raises(ParameterError, match="espacio_servicio_deuda"):
        borrowing_capacity(np.ones(3), 0.08, 3, 0, "frances", 1, YEARS, 2024)


def test_schedule_is_a_plain_dataframe():
    assert isinstance(loan_schedule(1e6, 0.08, 3), pd.DataFrame)
