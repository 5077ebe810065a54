"""The work budget (engine.ops.budget): estimated from the registry's specs before computing;
combinations inside every parameter's range that together are too much are refused, naming
what is too large (issue 8, point 2)."""

from __future__ import annotations

import pytest

from engine.errors import ParameterError
from engine.ops import OPS, get_op
from engine.ops.budget import check_work, work_estimate
from visualizer.limits import WORK_MAX_BYTES, WORK_MAX_TAPS
from visualizer.model import default_params


def params(**changes):
    return default_params().replace(**changes)


def in_ranges(spec, p) -> None:
    """Every value is inside its own parameter's range: only the combination is too much."""
    for param in spec.params:
        value = spec.param(param.name).coerce(p[param.name])  # raises if out of range
        assert value is not None or param.kind.startswith("optional")


def test_a_small_case_by_hand():
    p = params(kernel_size=(2, 2), stride=(2, 2), padding=(1, 1))
    e = work_estimate(get_op("max_pool2d"), (2, 3, 8, 8), None, p)
    items = {item.what: item for item in e.items}
    assert items["the input and its gradient"].amount == 2 * 2 * 3 * 8 * 8 * 8
    assert items["the padded input"].amount == 2 * 3 * 10 * 10 * 8
    assert items["the padded input"].formula == "2 × 3 × 10 × 10 × 8 bytes"
    assert items["the max-pooling mask and ties"].amount == 4 * 2 * 3 * 8 * 8 * 8
    assert e.taps == 2 * 3 * 5 * 5 * 4  # 5×5 windows of 4 taps per plane
    conv = work_estimate(
        get_op("conv2d"), (1, 3, 8, 8), (4, 3, 3, 3), params(kernel_size=(3, 3), stride=(1, 1))
    )
    assert conv.taps == 4 * 3 * 6 * 6 * 9  # every output channel reads every input channel


@pytest.mark.parametrize("op", list(OPS))
def test_every_operation_has_an_estimate(op):
    spec = get_op(op)
    w_shape = None
    if spec.has_weight:
        w_shape = (1, 1, 2, 2)
    e = work_estimate(spec, (1, 1, 8, 8), w_shape, default_params())
    assert e.memory > 0 and e.taps > 0


def test_large_batch_channels_image_with_a_wide_dilated_kernel_is_refused():
    spec = get_op("max_pool2d")
    p = params(kernel_size=(64, 64), stride=(1, 1), padding=(32, 32), dilation=(16, 16))
    in_ranges(spec, p)
    with pytest.raises(ParameterError) as info:
        check_work(spec, (8, 8, 1024, 1024), None, p, WORK_MAX_BYTES, WORK_MAX_TAPS)
    message = str(info.value)
    assert "more than the work budget of 2 GB" in message
    assert "the max-pooling mask and ties alone takes 2 GB (4 × 8 × 8 × 1024 × 1024" in message


def test_kernel_64_dilation_64_stride_1_reads_too_many_taps():
    spec = get_op("avg_pool2d")
    p = params(kernel_size=(64, 64), stride=(1, 1), padding=(32, 32), dilation=(64, 64))
    in_ranges(spec, p)
    shape = (4, 4, 4096, 256)
    with pytest.raises(ParameterError) as info:
        check_work(spec, shape, None, p, WORK_MAX_BYTES, WORK_MAX_TAPS)
    assert "window taps (4 × 4 × 1 × " in str(info.value)
    assert "windows × 4096 taps" in str(info.value)


def test_a_convolution_with_a_64_kernel_on_a_1024_image_is_refused():
    spec = get_op("conv2d")
    p = params(kernel_size=(64, 64), stride=(1, 1))
    in_ranges(spec, p)
    with pytest.raises(ParameterError, match=r"923521 windows × 4096 taps"):
        check_work(spec, (1, 1, 1024, 1024), (1, 1, 64, 64), p, WORK_MAX_BYTES, WORK_MAX_TAPS)


def test_what_the_app_does_every_day_fits():
    cases = [
        ("max_pool2d", (1, 3, 1024, 1024), None, params(kernel_size=(3, 3), stride=(1, 1))),
        ("max_pool2d", (1, 1, 4096, 4096), None, params(kernel_size=(2, 2), stride=(2, 2))),
        ("conv2d", (1, 3, 256, 256), (8, 3, 5, 5), params(kernel_size=(5, 5), stride=(1, 1))),
        ("avg_pool2d", (8, 8, 64, 64), None, params(kernel_size=(8, 8), stride=(1, 1))),
    ]
    for op, shape, w_shape, p in cases:
        check_work(get_op(op), shape, w_shape, p, WORK_MAX_BYTES, WORK_MAX_TAPS)


def test_invalid_parameters_keep_their_own_message():
    with pytest.raises(ParameterError, match="padding"):
        work_estimate(get_op("max_pool2d"), (1, 1, 8, 8), None, params(padding=(5, 5)))
