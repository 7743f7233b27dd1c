"""A burst of changes is coalesced into one call."""

from __future__ import annotations


def test_debouncer_coalesces_a_burst_into_one_call():
    import asyncio

    from nexos_model.app.feedback import Debouncer

    calls: list[int] = []

    async def burst() -> None:
        debounced = Debouncer(lambda: calls.append(1), delay=0.02)
        for _ in range(5):
            debounced()
        await asyncio.sleep(0.1)

    asyncio.run(burst())
    assert calls == [1]
    Debouncer(lambda: calls.append(2))()  # without an event loop: at once
    assert calls == [1, 2]
