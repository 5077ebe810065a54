"""The stepping position: which window, in which phase.  Moving it never recomputes."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class StepCursor:
    """Step ``0 .. 2·n_windows − 1``: the forward phase, then the backward phase."""

    n_windows: int = 1
    step: int = 0

    @property
    def n_steps(self) -> int:
        return 2 * self.n_windows

    @property
    def phase(self) -> str:
        return "forward" if self.step < self.n_windows else "backward"

    @property
    def window_index(self) -> int:
        """Window of the current step, within its phase."""
        return self.step % self.n_windows

    def clamp(self, step: int) -> int:
        return max(0, min(int(step), self.n_steps - 1))

    def resize(self, n_windows: int) -> None:
        """New results: keep the phase and the same window where it still exists."""
        phase = 1 if self.step >= self.n_windows else 0
        within = self.step - phase * self.n_windows
        self.n_windows = n_windows
        self.step = phase * n_windows + min(within, n_windows - 1)
