"""Pure-NumPy 2-D pooling and convolution with PyTorch's semantics, plus step traces.

Names and arguments mirror ``torch.nn.functional`` so any figure can be checked against
PyTorch.  Nothing here imports Qt.
"""

from engine.conv import conv2d, conv2d_backward
from engine.geometry import (
    WindowGeometry,
    conv_geometry,
    explain_output_size,
    format_pair,
    normalize_pair,
    pool_geometry,
    pool_output_size,
)
from engine.pooling import (
    TIE_POLICIES,
    ArgmaxMask,
    avg_divisors,
    avg_pool2d,
    avg_pool2d_backward,
    max_pool2d,
    max_pool2d_backward,
    max_pool2d_mask,
    validate_ties,
)
from engine.trace import (
    BackwardStep,
    ForwardStep,
    Tap,
    Trace,
    format_number,
    trace_avg_pool2d,
    trace_conv2d,
    trace_max_pool2d,
)

__all__ = [
    "TIE_POLICIES",
    "ArgmaxMask",
    "BackwardStep",
    "ForwardStep",
    "Tap",
    "Trace",
    "WindowGeometry",
    "avg_divisors",
    "avg_pool2d",
    "avg_pool2d_backward",
    "conv2d",
    "conv2d_backward",
    "conv_geometry",
    "explain_output_size",
    "format_number",
    "format_pair",
    "max_pool2d",
    "max_pool2d_backward",
    "max_pool2d_mask",
    "normalize_pair",
    "pool_geometry",
    "pool_output_size",
    "trace_avg_pool2d",
    "trace_conv2d",
    "trace_max_pool2d",
    "validate_ties",
]
