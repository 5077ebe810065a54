"""Pure-NumPy 2-D pooling and convolution with PyTorch's semantics, plus step traces.

Names and arguments mirror ``torch.nn.functional`` so any figure can be checked against
PyTorch.  Nothing here imports Qt.
"""

from engine.adaptive import (
    adaptive_avg_pool2d,
    adaptive_avg_pool2d_backward,
    adaptive_bins,
    adaptive_max_pool2d,
    adaptive_max_pool2d_backward,
)
from engine.cells import CellBlock, Marks
from engine.conv import conv2d, conv2d_backward
from engine.conv_transpose import conv_transpose2d, conv_transpose2d_backward
from engine.errors import ParameterError
from engine.geometry import (
    WindowGeometry,
    conv_geometry,
    explain_output_size,
    format_pair,
    normalize_pair,
    pool_geometry,
    pool_output_size,
)
from engine.lp_pool import lp_pool2d, lp_pool2d_backward

# The registry comes last: its operation modules use everything above.
from engine.ops import OPS, OpSpec, Params, ParamSpec, TensorSpec, get_op
from engine.ops.avg_pool2d import trace_avg_pool2d
from engine.ops.conv2d import trace_conv2d
from engine.ops.max_pool2d import trace_max_pool2d
from engine.ops.relu import trace_relu
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
from engine.relu import relu, relu_backward
from engine.stack import (
    LayerShape,
    StackFields,
    check_stack,
    projective_field_masks,
    receptive_field,
    receptive_field_masks,
    receptive_field_size,
    receptive_field_sizes,
    stack_backward,
    stack_forward,
    stack_forward_backward,
    stack_layer_steps,
    stack_layer_trace,
    stack_shapes,
    stack_sizes,
)
from engine.trace import (
    Accumulation,
    BackwardStep,
    ForwardStep,
    Step,
    StepCell,
    Tap,
    Trace,
    Update,
    format_number,
)
from engine.unpool import max_unpool2d, max_unpool2d_backward

__all__ = [
    "OPS",
    "TIE_POLICIES",
    "Accumulation",
    "ArgmaxMask",
    "BackwardStep",
    "CellBlock",
    "ForwardStep",
    "LayerShape",
    "Marks",
    "OpSpec",
    "ParamSpec",
    "ParameterError",
    "Params",
    "StackFields",
    "Step",
    "StepCell",
    "Tap",
    "TensorSpec",
    "Trace",
    "Update",
    "WindowGeometry",
    "adaptive_avg_pool2d",
    "adaptive_avg_pool2d_backward",
    "adaptive_bins",
    "adaptive_max_pool2d",
    "adaptive_max_pool2d_backward",
    "avg_divisors",
    "avg_pool2d",
    "avg_pool2d_backward",
    "check_stack",
    "conv2d",
    "conv2d_backward",
    "conv_geometry",
    "conv_transpose2d",
    "conv_transpose2d_backward",
    "explain_output_size",
    "format_number",
    "format_pair",
    "get_op",
    "lp_pool2d",
    "lp_pool2d_backward",
    "max_pool2d",
    "max_pool2d_backward",
    "max_pool2d_mask",
    "max_unpool2d",
    "max_unpool2d_backward",
    "normalize_pair",
    "pool_geometry",
    "pool_output_size",
    "projective_field_masks",
    "receptive_field",
    "receptive_field_masks",
    "receptive_field_size",
    "receptive_field_sizes",
    "relu",
    "relu_backward",
    "stack_backward",
    "stack_forward",
    "stack_forward_backward",
    "stack_layer_steps",
    "stack_layer_trace",
    "stack_shapes",
    "stack_sizes",
    "trace_avg_pool2d",
    "trace_conv2d",
    "trace_max_pool2d",
    "trace_relu",
    "validate_ties",
]
