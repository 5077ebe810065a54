"""The engine's message templates, marked for translation.

The engine is Qt-free and speaks English: an invalid parameter raises
:class:`engine.errors.ParameterError` and a formula remark is an :class:`engine.errors.Message`,
each carrying an English ``template`` with ``{name}`` fields and the ``fields`` that fill it.
:func:`visualizer.i18n.translate_message` translates the template with ``tr()`` and fills in the
fields.  For ``tr()`` to find a translation, ``pyside6-lupdate`` has to collect every template
into the catalogue: it does not read the engine, so each template is written again here inside
``QT_TR_NOOP``, word for word (``tests/visualizer/test_i18n.py`` checks that every template the
engine writes is in the catalogue).  Nothing needs to import this module.
"""

from __future__ import annotations

from PySide6.QtCore import QT_TR_NOOP

ENGINE_MESSAGES: tuple[str, ...] = (
    # geometry.py
    QT_TR_NOOP("{name} must be a single int or a pair of ints (height, width), got {value}"),
    QT_TR_NOOP("{name} ({value}) must be greater than zero"),
    QT_TR_NOOP("ceil_mode must be True or False, got {value}"),
    QT_TR_NOOP("padding ({padding}) must be non-negative"),
    QT_TR_NOOP("padding ({padding}) must be at most half of kernel_size ({kernel})"),
    QT_TR_NOOP("padding ('same') requires stride 1, got stride ({stride})"),
    QT_TR_NOOP("padding ({padding}) must be an int, a pair of ints, 'same' or 'valid'"),
    QT_TR_NOOP(
        "kernel ({kernel} with dilation) must fit inside the padded input ({padded}); "
        "the kernel can't be larger than the input plus padding"
    ),
    QT_TR_NOOP("input size ({size}) must be at least 1x1 in height and width"),
    QT_TR_NOOP(
        "kernel_size ({kernel}) is too large for the input ({size}) with stride {stride}, "
        "padding {padding} and dilation {dilation}: the output would be {out}, and it must be "
        "at least 1x1 ({axis}: {formula})"
    ),
    QT_TR_NOOP("output position ({position}) is outside the output of size {size}"),
    QT_TR_NOOP("step ({step}) must be in 0..{last}"),
    QT_TR_NOOP(
        "{name} ({value}) does not fit in a 64-bit integer: it must lie in {low}..{high}, as in "
        "PyTorch"
    ),
    QT_TR_NOOP(
        "padding ({padding}) is too large: the output would be {out} per channel, {elements} "
        "values, more than an array can hold (at most {limit})"
    ),
    # geometry.py: the remarks explain_output_size adds to a formula line, and axis names
    QT_TR_NOOP("{axis_name}: stride, kernel and dilation must be positive"),
    QT_TR_NOOP(
        "{message} → {out}: the last window would start in the right padding, so it is dropped"
    ),
    QT_TR_NOOP("{message}  ✗ the output must be at least 1"),
    QT_TR_NOOP("height"),
    QT_TR_NOOP("width"),
    # pooling.py
    QT_TR_NOOP("grad_output shape {shape} must match the output shape {expected}"),
    QT_TR_NOOP("grad_output must hold real numbers, got dtype {dtype}"),
    QT_TR_NOOP("ties ({ties}) must be one of 'first', 'all' or 'split'"),
    QT_TR_NOOP(
        "indices must lie in 0..{last} (flat row * W + col positions in one {size} plane); "
        "got values from {low} to {high}"
    ),
    QT_TR_NOOP("divisor_override must be an int or None, got {value}"),
    QT_TR_NOOP("divisor_override ({value}) must not be zero"),
    QT_TR_NOOP("count_include_pad must be True or False, got {value}"),
    QT_TR_NOOP(
        "indices must point into their own window, as max_pool2d returns them: output "
        "({position}) of plane ({plane}) has index {index} (row {row}, column {col}), but its "
        "window reads rows {rows} and columns {cols}"
    ),
    # conv.py
    QT_TR_NOOP("weight must be 2-D (kH, kW) when x is 2-D (H, W); got weight of shape {shape}"),
    QT_TR_NOOP("weight must have shape (C_out, C_in/groups, kH, kW); got shape {shape}"),
    QT_TR_NOOP("groups ({groups}) must be a positive int"),
    QT_TR_NOOP("weight must not have an empty dimension; got shape {shape}"),
    QT_TR_NOOP(
        "groups ({groups}) must divide the number of output channels (weight.shape[0] = {channels})"
    ),
    QT_TR_NOOP(
        "x has {channels} channels, but weight of shape {shape} with groups ({groups}) "
        "expects {expected} (C_in = weight.shape[1] · groups)"
    ),
    QT_TR_NOOP("bias must have one value per output channel ({channels}); got shape {shape}"),
    # arrays.py
    QT_TR_NOOP("{name} must hold real numbers (ints or floats), got dtype {dtype}"),
    QT_TR_NOOP("{name} must have shape {forms}; got shape {shape}"),
    QT_TR_NOOP(
        "{name} must not have an empty channel, height or width dimension; got shape {shape}"
    ),
    QT_TR_NOOP(
        "indices shape {shape} must match the output shape {expected} "
        "(pass the indices {op} returned with return_indices=True)"
    ),
    QT_TR_NOOP("indices must hold integers ({op}'s return_indices=True output), got dtype {dtype}"),
    # trace.py (and, still as plain ValueErrors with this wording, ops/conv2d.py and trace.py)
    QT_TR_NOOP("index ({index}) must be in -1..{last}"),
    QT_TR_NOOP("{name} must be one (H, W) plane for a trace; got shape {shape}"),
    QT_TR_NOOP("a conv trace takes x (C, H, W) and weight (C, kH, kW); got {x} and {weight}"),
    # ops/registry.py, ops/spec.py
    QT_TR_NOOP("operation ({op}) must be one of {ops}"),
    QT_TR_NOOP("{name} ({value}) must be an int"),
    QT_TR_NOOP("{name} ({value}) must be true or false"),
    QT_TR_NOOP("{name} ({value}) must be one of {choices}"),
    QT_TR_NOOP("{name} ({value}) must be a finite number"),
    QT_TR_NOOP("{name} ({value}) must be between {minimum} and {maximum}"),
    QT_TR_NOOP("{name} ({value}) must be an int or a pair of ints (height, width)"),
    # pitfalls.py
    QT_TR_NOOP("{name} must be one (H, W) plane; got shape {shape}"),
    QT_TR_NOOP("mode ({mode}) must be 'max' or 'avg'"),
    QT_TR_NOOP("x must be (C, H, W) and weight (C, kH, kW) with the same C; got {x} and {weight}"),
    QT_TR_NOOP("this pitfall needs {name}, which the case does not have"),
    QT_TR_NOOP("pitfall ({key}) must be one of {keys}"),
    QT_TR_NOOP("pitfall {key} applies to {ops}, not to {op}"),
    # adaptive.py
    QT_TR_NOOP("output_size ({height}, {width}) must not be negative"),
    QT_TR_NOOP(
        "output_size ({height}, {width}) must be at least 1 in height and width for the backward "
        "pass ({name}_backward, like PyTorch's, refuses an empty gradient)"
    ),
    QT_TR_NOOP("return_indices must be True or False, got {value}"),
    QT_TR_NOOP(
        "indices must lie in 0..{last} (flat row * W + col positions in one {h}x{w} plane); got "
        "values from {low} to {high}"
    ),
    QT_TR_NOOP("{name} must be an int, got {value}"),
    QT_TR_NOOP("{name} ({value}) must be at least {low}"),
    QT_TR_NOOP("output_size must be an int or a pair (height, width) of ints or None, got {value}"),
    # ops/_adaptive.py: the output-size explanation of adaptive pooling
    QT_TR_NOOP(
        "{out_name} = {out}: window i = [floor(i·{name}/{out_name}), "
        "ceil((i+1)·{name}/{out_name})) = [floor(i·{size}/{out}), "
        "ceil((i+1)·{size}/{out})) → {spans}"
    ),
    # reference_adaptive.py
    QT_TR_NOOP("output_size ({h}, {w}) is empty: no backward"),
    # conv_transpose.py
    QT_TR_NOOP(
        "{name} ({value}) must be an int or a pair of ints; conv_transpose2d has no 'same' or "
        "'valid' padding"
    ),
    QT_TR_NOOP("weight must have shape (C_in, C_out/groups, kH, kW); got shape {shape}"),
    QT_TR_NOOP("output_padding ({output_padding}) must be non-negative"),
    QT_TR_NOOP(
        "groups ({groups}) must divide the number of input channels (weight.shape[0] = {channels})"
    ),
    QT_TR_NOOP(
        "x has {channels} channels, but weight of shape {shape} expects {expected} (C_in = "
        "weight.shape[0] for a transposed convolution)"
    ),
    QT_TR_NOOP(
        "output_padding ({output_padding}) must be smaller than either stride ({stride}) or "
        "dilation ({dilation})"
    ),
    QT_TR_NOOP(
        "the output would be {out}, and it must be at least 1x1: padding ({padding}) crops too "
        "much of the {size} input ({axis}: {formula})"
    ),
    # lp_pool.py
    QT_TR_NOOP("norm_type must be a real number (the power p), got {value}"),
    QT_TR_NOOP("norm_type ({value}) must not be zero: the result is the (1 / norm_type)-th root"),
    QT_TR_NOOP("norm_type ({value}) is too large for a floating-point power"),
    QT_TR_NOOP(
        "kernel_size ({value}) must be a single int or a pair of ints (height, width); lp_pool2d "
        "takes no other length"
    ),
    # unpool.py
    QT_TR_NOOP("output_size must be (height, width) or (N, C, height, width) as ints, got {value}"),
    QT_TR_NOOP("output_size ({output_size}) must not be negative"),
    QT_TR_NOOP(
        "indices shape {shape} must equal x's shape {x_shape} (one index per input element, as "
        "max_pool2d(..., return_indices=True) returns them)"
    ),
    QT_TR_NOOP(
        "indices cannot point into an empty {size} output plane; got values from {low} to {high}"
    ),
    QT_TR_NOOP(
        "indices must lie in 0..{last} (flat row * W + col positions in one {size} plane); got "
        "values from {low} to {high}: pass the size of the pooled input as output_size"
    ),
    QT_TR_NOOP(
        "the output size ({out}) must not be negative: padding ({padding}) is too large for "
        "kernel_size ({kernel}) and stride ({stride}) ({axis}: {formula})"
    ),
    QT_TR_NOOP(
        "output_size ({output_size}) is out of range: its {axis} must be strictly between {low} "
        "and {high} (the default {default} ± stride {stride})"
    ),
    # stack.py
    QT_TR_NOOP("layer {layer} ({op}): {reason}"),
    QT_TR_NOOP('layers must be a list of layers (dicts with an "op"), got {value}'),
    QT_TR_NOOP('a layer must be a dict with an "op", got {value}'),
    QT_TR_NOOP(
        "its call takes {tensors}, not the previous layer's output, so it cannot be a layer of a "
        "stack"
    ),
    QT_TR_NOOP("unknown parameter {name}; it takes {names}"),
    QT_TR_NOOP("the layer needs a {name} array"),
    QT_TR_NOOP("the layer needs {name}"),
    QT_TR_NOOP("{name} ({value}) must be in -{count}..{last}"),
    QT_TR_NOOP("cell ({position}) is outside level {level} of size {size}"),
    QT_TR_NOOP(
        "each of its input cells is spread over several outputs, so it has no kernel and stride "
        "in the input's units; the recursion does not apply (receptive_field with an input size "
        "does)"
    ),
    QT_TR_NOOP(
        "its windows follow the input size, so it has no fixed kernel and stride; the recursion "
        "does not apply (receptive_field with an input size does)"
    ),
    QT_TR_NOOP("input shape {shape} must be a tuple of sizes of at least 1"),
    # ops/budget.py: the work budget
    QT_TR_NOOP(
        "this computation would need about {size} of memory, more than the work budget of "
        "{limit}: {what} alone takes {part} ({formula})"
    ),
    QT_TR_NOOP(
        "this computation would read {taps} window taps ({formula}), more than the work budget "
        "of {limit}: use a smaller input, batch or channels, a smaller kernel or a larger stride"
    ),
    QT_TR_NOOP("the input and its gradient"),
    QT_TR_NOOP("the padded input"),
    QT_TR_NOOP("the output and dY"),
    QT_TR_NOOP("the max-pooling mask and ties"),
    QT_TR_NOOP("the weight and its gradient"),
    QT_TR_NOOP("the window taps"),
)
