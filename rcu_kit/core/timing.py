"""Seconds spent per stage of a pipeline, wall-clock and CPU, for the figures steps report."""

from __future__ import annotations

import time

__all__ = ["StageTimer"]


class StageTimer:
    """Times consecutive stages: each :meth:`lap` closes the stage that ran since the last one.

    A stage lapped several times (once per source, say) accumulates. Figures are rounded to the
    millisecond.

    Examples:
        >>> timer = StageTimer()
        >>> timer.lap("load"); timer.lap("compare")
        >>> sorted(timer.wall) == sorted(timer.cpu) == ["compare", "load"]
        True
    """

    def __init__(self) -> None:
        self.wall: dict[str, float] = {}
        self.cpu: dict[str, float] = {}
        self._start = self._clock = time.perf_counter()
        self._cpu_clock = time.process_time()

    def lap(self, stage: str) -> None:
        """Close ``stage``: add the time since the previous lap (or the start) to it."""
        now, cpu_now = time.perf_counter(), time.process_time()
        self.wall[stage] = round(self.wall.get(stage, 0.0) + now - self._clock, 3)
        self.cpu[stage] = round(self.cpu.get(stage, 0.0) + cpu_now - self._cpu_clock, 3)
        self._clock, self._cpu_clock = now, cpu_now

    def total(self) -> float:
        """Wall-clock seconds since the timer started."""
        return round(time.perf_counter() - self._start, 3)
