"""What one edit can change, as plain data: the parameters and the snapshot of the state.

Qt-free, so undo, session files, code generation and verification can share it without
importing the state object.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Params:
    """Every parameter the user can set; pairs are (height, width)."""

    kernel_size: tuple[int, int] = (2, 2)
    stride: tuple[int, int] = (2, 2)
    padding: tuple[int, int] = (0, 0)
    dilation: tuple[int, int] = (1, 1)
    ceil_mode: bool = False
    count_include_pad: bool = True
    divisor_override: int | None = None
    ties: str = "first"
    bias: float | None = 0.0


@dataclass(frozen=True)
class Snapshot:
    """Everything an edit can change: what undo restores and a session file stores."""

    op: str
    x: np.ndarray  # (N, C, H, W)
    weight: np.ndarray  # (C_out, C_in, kH, kW)
    params: Params
    grad_output: np.ndarray  # (N, C_out, out_H, out_W)
    plane: tuple[int, int]
    in_channel: int
    dy_mode: str
    dy_seed: int
