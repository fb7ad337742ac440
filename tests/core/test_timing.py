"""StageTimer: laps close stages, repeated stages accumulate, on a scripted clock."""

from __future__ import annotations

from rcu_kit.core import timing
from rcu_kit.core.timing import StageTimer


def test_laps_and_accumulation(monkeypatch):
    wall = iter([10.0, 11.5, 12.0, 14.25, 20.0])     # start, three laps, total
    cpu = iter([1.0, 2.0, 2.1, 3.0])                 # start, three laps
    monkeypatch.setattr(timing.time, "perf_counter", lambda: next(wall))
    monkeypatch.setattr(timing.time, "process_time", lambda: next(cpu))
    timer = StageTimer()
    timer.lap("load")        # 10.0 -> 11.5: 1.5 s wall, 1.0 s CPU
    timer.lap("audit")       # 11.5 -> 12.0: 0.5 s wall, 0.1 s CPU
    timer.lap("audit")       # 12.0 -> 14.25: +2.25 s wall (2.75 in all), +0.9 s CPU (1.0)
    assert timer.wall == {"load": 1.5, "audit": 2.75}
    assert timer.cpu == {"load": 1.0, "audit": 1.0}
    assert timer.total() == 10.0                      # 20.0 - 10.0
