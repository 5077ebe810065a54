"""The shipped stack presets (assets/presets/stacks/): each reads, has both languages, and
shows the numbers its explanation promises (sizes, textbook receptive field and jump, and the
exact receptive field of an output cell)."""

from __future__ import annotations

import pytest

from engine import receptive_field, receptive_field_size
from visualizer.model.stack import compute_stack
from visualizer.stack_presets import list_stack_presets, load_stack_preset, stack_presets_dir

EXPECTED = {
    # name: (level sizes, textbook receptive field after each layer (h) and jump, exact field)
    "01_two_3x3_one_5x5": ([9, 7, 5], [3, 5], [1, 1], 5),
    "02_lenet_style": ([32, 28, 28, 14, 10, 10, 5], [5, 5, 6, 14, 14, 16], [1, 1, 2, 2, 2, 4], 16),
    "03_vgg_block": ([16, 16, 16, 16, 16, 8], [3, 3, 5, 5, 6], [1, 1, 1, 1, 2], 4),
    "04_stride_multiplies_the_jump": ([17, 8, 3, 1], [3, 7, 15], [2, 4, 4], 15),
    "05_dilation_grows_exponentially": ([32, 32, 32, 32, 32], [3, 7, 15, 31], [1, 1, 1, 1], 16),
    "06_global_average_pooling": ([8, 8, 8, 4, 1], [3, 3, 4, None], [1, 1, 2, None], 8),
}


def test_every_preset_is_listed_in_both_languages():
    presets = list_stack_presets()
    assert [p.path.stem for p in presets] == sorted(EXPECTED)
    assert len(list(stack_presets_dir().glob("*.json"))) == len(EXPECTED)
    for preset in presets:
        assert preset.title and preset.explanation, preset.path
        assert preset.title_zh and preset.explanation_zh, preset.path


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_preset_shows_the_numbers_it_explains(name):
    sizes, fields, jumps, exact = EXPECTED[name]
    doc = load_stack_preset(stack_presets_dir() / f"{name}.json")
    results = compute_stack(doc)
    assert [h for h, _w in results.sizes] == sizes
    assert [None if r.receptive_field is None else r.receptive_field[0] for r in results.rows] == (
        fields
    )
    assert [None if r.jump is None else r.jump[0] for r in results.rows] == jumps
    rows, cols = receptive_field(doc.engine_layers(), doc.x.shape, (0, 0))
    assert rows.stop - rows.start == exact and cols.stop - cols.start == exact
    if None not in fields:
        assert receptive_field_size(doc.engine_layers())[:2] == (fields[-1], fields[-1])


def test_the_centre_of_the_dilated_stack_sees_31_by_31():
    doc = load_stack_preset(stack_presets_dir() / "05_dilation_grows_exponentially.json")
    rows, cols = receptive_field(doc.engine_layers(), doc.x.shape, (16, 16))
    assert (rows.start, rows.stop, cols.start, cols.stop) == (1, 32, 1, 32)
