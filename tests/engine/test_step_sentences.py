"""Every backward step spelled out: each updated cell with its numbers (hand-worked)."""

from __future__ import annotations

import numpy as np
import pytest

from engine import trace_avg_pool2d, trace_conv2d, trace_max_pool2d

# The first rows of the app's default 8×8 example, and its default kernel.
X = np.array(
    [
        [3.0, 12, 7, 1],
        [8, 5, 19, 11],
        [13, 2, 4, 16],
    ]
)
W = np.array([[0.0, 1], [2, 3]])


def test_conv_backward_writes_each_input_gradient_cell_with_its_numbers():
    t = trace_conv2d(X, W, 0.0)
    step = t.step("backward", 0)  # window (0, 0), dY = 1
    lines = step.text.split("\n")
    # dX[1, 0] is fed by W[1, 0] = 2 only in this window: 0 + 1·2 = 2.
    assert "dX[1, 0]: 0 + 1·2 = 2" in lines[1]
    assert lines[1].split("   ") == [
        "dX[0, 0]: 0 + 1·0 = 0",
        "dX[0, 1]: 0 + 1·1 = 1",
        "dX[1, 0]: 0 + 1·2 = 2",
        "dX[1, 1]: 0 + 1·3 = 3",
    ]
    # dW gets dY times the input each weight multiplied: X[0, 0] = 3, ..., X[1, 1] = 5.
    assert lines[2].split("   ") == [
        "dW[0, 0]: 0 + 1·3 = 3",
        "dW[0, 1]: 0 + 1·12 = 12",
        "dW[1, 0]: 0 + 1·8 = 8",
        "dW[1, 1]: 0 + 1·5 = 5",
    ]
    assert lines[3] == "db: 0 + 1 = 1"


def test_conv_backward_adds_to_what_the_earlier_windows_left():
    t = trace_conv2d(X, W, 0.0, grad_output=np.full((2, 3), 2.0))
    step = t.step("backward", 1)  # window (0, 1), dY = 2
    texts = {(u.view, u.pos): u.text for u in step.updates}
    # dX[0, 1] got 2·W[0, 1] = 2 from window (0, 0); now 2·W[0, 0] = 0 more.
    assert texts["grad_input", (0, 1)] == "dX[0, 1]: 2 + 2·0 = 2"
    # dX[1, 1] got 2·3 = 6 before, now 2·W[1, 0] = 4: 10.
    assert texts["grad_input", (1, 1)] == "dX[1, 1]: 6 + 2·2 = 10"
    # dW[0, 0] got 2·X[0, 0] = 6, now 2·X[0, 1] = 24: 30.
    assert texts["grad_weight", (0, 0)] == "dW[0, 0]: 6 + 2·12 = 30"
    assert texts["grad_bias", (0, 0)] == "db: 2 + 2 = 4"


def test_conv_backward_groups_the_updates_by_channel():
    t = trace_conv2d(np.stack([X, 2 * X]), np.stack([W, W]), None)
    lines = t.step("backward", 0).lines
    # dX of channel 0, dX of channel 1, dW of channel 0, dW of channel 1.
    assert [line.split(":")[0] for line in lines] == [
        "dX[0, 0, 0]",
        "dX[1, 0, 0]",
        "dW[0, 0, 0]",
        "dW[1, 0, 0]",
    ]
    assert "dW[1, 0, 1]: 0 + 1·24 = 24" in lines[3]


def test_conv_backward_marks_only_the_weight_gradients_that_change():
    # Padding 1: window (0, 0) reads padding in its first row and column; PyTorch never
    # reads those taps, so their dW cells are neither marked nor said (the text and the
    # marks name the same cells).
    t = trace_conv2d(X, W, None, padding=1)
    step = t.step("backward", 0)
    assert set(step.cells_of("grad_weight")) == {(1, 1)}
    texts = {u.pos: u.text for u in step.updates if u.view == "grad_weight"}
    assert texts == {(1, 1): "dW[1, 1]: 0 + 1·3 = 3"}


def test_conv_window_cells_name_their_kernel_tap_and_show_its_weight():
    t = trace_conv2d(X, W, None)
    step = t.step("forward", 4)  # window (1, 1)
    links = {c.pos: (c.link, c.note) for c in step.cells if c.view == "input"}
    assert links[(1, 1)] == ((0, 0), "0")
    assert links[(2, 2)] == ((1, 1), "3")
    kernel = {c.pos: c.link for c in step.cells if c.view == "weight"}
    assert kernel == {(0, 0): (1, 1), (0, 1): (1, 2), (1, 0): (2, 1), (1, 1): (2, 2)}


def test_max_backward_says_the_total_and_how_many_windows_the_maximum_won():
    x = [[1.0, 2, 3], [4, 9, 5], [0, 1, 2]]
    t = trace_max_pool2d(x, 2, 1)  # 9 wins all four windows
    assert t.step("backward", 0).text == "dY[0, 0] = 1 goes to the maximum: dX[1, 1] += 1 → 1"
    second = t.step("backward", 1)
    assert second.text == ("dY[0, 1] = 1 goes to the maximum: dX[1, 1] += 1 → 2 (it won 2 windows)")
    assert second.fields["wins"] == "2"
    (update,) = second.updates
    assert (update.pos, update.before, update.amount, update.after) == ((1, 1), 1.0, 1.0, 2.0)


def test_max_backward_totals_follow_the_upstream_gradient():
    x = [[1.0, 2, 3], [4, 9, 5], [0, 1, 2]]
    t = trace_max_pool2d(x, 2, 1, grad_output=[[0.5, 2], [1, 1]])
    assert t.step("backward", 1).text.endswith("dX[1, 1] += 2 → 2.5 (it won 2 windows)")


def test_avg_backward_says_how_much_of_the_gradient_fell_on_padding():
    x = np.arange(16.0).reshape(4, 4)
    t = trace_avg_pool2d(x, 3, 1, 1)  # window (0, 0): 4 input cells, 5 padding taps
    step = t.step("backward", 0)
    assert step.sentence == (
        "dY[0, 0] = 1 / 9 = 0.1111 is added to each of the window's 4 input cells in dX; "
        "5/9 of dY fell on padding and is dropped"
    )
    assert step.fields["dropped"] == "5"
    assert step.lines == (
        "dX[0, 0]: 0 + 0.1111 = 0.1111   dX[0, 1]: 0 + 0.1111 = 0.1111   "
        "dX[1, 0]: 0 + 0.1111 = 0.1111   dX[1, 1]: 0 + 0.1111 = 0.1111",
    )
    # Window (0, 1): 6 input cells, 3 padding taps.
    assert "3/9 of dY fell on padding" in t.step("backward", 1).sentence
    # Window (1, 1) lies inside the input: nothing is dropped.
    assert "padding" not in t.step("backward", 5).sentence


def test_avg_backward_without_counted_padding_drops_nothing():
    x = np.arange(16.0).reshape(4, 4)
    t = trace_avg_pool2d(x, 3, 1, 1, count_include_pad=False)
    step = t.step("backward", 0)
    assert "padding" not in step.sentence and "/ 4 = 0.25" in step.sentence


@pytest.mark.parametrize(
    "trace",
    [
        trace_max_pool2d(np.arange(25.0).reshape(5, 5) % 7, 3, 1, 1, ties="all"),
        trace_avg_pool2d(np.arange(25.0).reshape(5, 5) % 7, 3, 2, 1, ceil_mode=True),
        trace_conv2d(np.arange(25.0).reshape(5, 5) % 7, np.ones((2, 2)), 0.5, 1, 1, 2),
    ],
    ids=["max", "avg", "conv"],
)
def test_every_update_is_the_running_sum(trace):
    """before + amount = after, and after is what the view shows once the step is done."""
    for k in [*range(len(trace)), 3, 0]:
        step = trace.step("backward", k)
        dx = trace.grad_input_after(k)
        gw, gb = trace.grad_weight_after(k)
        for u in step.updates:
            assert u.before + u.amount == pytest.approx(u.after)
            if u.view == "grad_input":
                assert u.after == pytest.approx(dx[(u.channel, *u.pos)])
            elif u.view == "grad_weight":
                assert u.after == pytest.approx(gw[(u.channel, *u.pos)])
            else:
                assert u.after == pytest.approx(gb)


def test_a_large_block_adding_the_same_is_written_once_with_slices():
    x = np.arange(64.0).reshape(8, 8)
    t = trace_avg_pool2d(x, 4, 4)  # 4×4 windows: 16 cells each get dY/16
    step = t.step("backward", 1)
    assert step.lines == ("dX[0:4, 4:8]: 0 + 0.0625 = 0.0625",)
    assert len(step.updates) == 16  # the cells themselves are all still there
    # Cells adding different amounts stay one by one (a 3×3 window over padding: 4 cells).
    small = trace_avg_pool2d(x, 3, 1, 1).step("backward", 0)
    assert small.lines[0].count("dX[") == 4


# ---- long windows: the first and last terms around "…" ------------------------------------


def test_join_terms_writes_a_7x7_window_in_full_and_elides_a_longer_one():
    from engine.trace import HEAD_TERMS, MAX_TERMS, TAIL_TERMS, join_terms

    terms = [str(k) for k in range(MAX_TERMS)]
    assert join_terms(terms) == " + ".join(terms)
    longer = [str(k) for k in range(1000)]
    text = join_terms(longer, ", ")
    assert text == ", ".join([*longer[:HEAD_TERMS], "…", *longer[-TAIL_TERMS:]])
    assert text.startswith("0, 1, 2") and text.endswith("997, 998, 999")


def test_a_global_average_of_16x16_names_its_first_and_last_cells_and_divisor():
    x = np.arange(256.0).reshape(16, 16)
    t = trace_avg_pool2d(x, 16)
    text = t.step("forward", 0).text
    assert text == "(0 + 1 + 2 + 3 + 4 + 5 + 6 + 7 + … + 253 + 254 + 255) / 256 = 127.5"
    # The cells highlighted are still every cell of the window.
    assert len(t.step("forward", 0).cells_of("input")) == 256


def test_a_long_max_window_elides_its_values_but_keeps_the_result():
    x = np.arange(64.0).reshape(8, 8)
    text = trace_max_pool2d(x, 8).step("forward", 0).text
    assert text == "max(0, 1, 2, 3, 4, 5, 6, 7, …, 61, 62, 63) = 63"


def test_a_7x7_convolution_window_is_written_in_full():
    x = np.ones((7, 7))
    text = trace_conv2d(x, np.ones((7, 7)), None).step("forward", 0).text
    assert "…" not in text and text.count("1·1") == 49


def test_conv_backward_sentence_names_the_output_channel_of_its_dy():
    """Several channels (issue 10, point 5): each output channel has its own dY plane, and
    the views title it dY[o=1]; the sentence names the cell with its channel, dY[o, i, j],
    as the dW lines name theirs dW[o, c, i, j].  One channel keeps dY[i, j]."""
    import dataclasses

    from engine.ops.conv2d import trace_conv2d

    x = np.arange(18, dtype=float).reshape(2, 3, 3)
    w = np.ones((2, 2, 2))
    dy = np.array([[1.0, 2.0], [3.0, 4.0]])
    one = trace_conv2d(x, w, grad_output=dy)
    assert one.step("backward", 3).text.startswith("dY[1, 1] = 4: ")
    second = dataclasses.replace(one, out_channel=1)  # output channel 1's trace
    step = second.step("backward", 3)
    assert step.text.startswith("dY[1, 1, 1] = 4: ")
    assert step.fields["position"] == "dY[1, 1, 1] = 4"
    assert "dW[1, 1, 1, 1]: " in step.text
