"""New INFOM loans share one debt-service room."""

from __future__ import annotations

import numpy as np
import pytest

from nexos_model.investment.borrowing import NewBorrowing, loan_room


def test_loan_room_follows_the_shared_room():
    years = [2026, 2027, 2028]
    borrowing = NewBorrowing({2026: 100, 2027: 100, 2028: 100}, {2026: 2, 2027: 2, 2028: 2})
    room = loan_room(np.array([100, 120, 100]), np.array([60, 0, 0]), years, borrowing)
    # 2026: 40 left; 2027: decided 20 + 40 % of capacity (60 % used by the 2026 loan in 2027); 2028: free
    assert room.tolist() == pytest.approx([40, 60, 100])
