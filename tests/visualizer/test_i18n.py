"""English and Simplified Chinese: the translation files, switching at run time, the default
language and its setting, and the translation of the engine's (English) messages."""

from __future__ import annotations

import ast
import html
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QCoreApplication, QLocale
from PySide6.QtWidgets import QApplication, QLabel

import engine
from engine import geometry, pitfalls
from engine.errors import Message, ParameterError
from engine.pitfalls import PitfallCase
from visualizer import i18n
from visualizer.data import load_image
from visualizer.i18n import CHINESE, ENGLISH
from visualizer.settings import BATCH_PROPERTY, app_settings
from visualizer.state import AppState

ROOT = Path(__file__).resolve().parents[2]
TS = i18n.catalog_path(CHINESE, ".ts")
QM = i18n.catalog_path(CHINESE, ".qm")
CJK = re.compile(r"[\u4e00-\u9fff]")
FIELD = re.compile(r"\{(\w*)\}")


def messages() -> list[tuple[str, ET.Element]]:
    return [(m.findtext("source"), m.find("translation")) for m in ET.parse(TS).iter("message")]


@pytest.fixture
def chinese(qapp):
    """Switch to Chinese for one test and always back to English afterwards."""
    i18n.set_language(CHINESE)
    yield
    i18n.set_language(ENGLISH)


# ---- the translation files ----------------------------------------------------------------------
def test_every_message_is_translated():
    found = messages()
    assert len(found) > 400
    for source, translation in found:
        assert translation.get("type") is None, f"unfinished or obsolete: {source!r}"
        assert (translation.text or "").strip(), f"empty translation: {source!r}"


def test_translations_keep_the_placeholders_and_mnemonics():
    for source, translation in messages():
        text = translation.text or ""
        assert sorted(FIELD.findall(text)) == sorted(FIELD.findall(source)), source
        # A menu title's Alt+letter ("&File" → "文件(&F)") survives the translation.
        mnemonic = re.search(r"&([A-Za-z])(?!\w*;)", source)
        if mnemonic:
            assert f"(&{mnemonic.group(1).upper()})" in text, source


def test_so_far_has_one_chinese_wording():
    """Review 23: "so far" was "到目前为止" in "输入梯度 dX（到目前为止）" and "迄今" in
    "dW（迄今）" (the short one, which fits the narrow lecture view): one wording everywhere."""
    said = [(s, t.text or "") for s, t in messages() if "so far" in s]
    assert len(said) >= 3
    for source, text in said:
        assert "迄今" in text and "到目前为止" not in text, source


def test_the_chinese_is_chinese():
    # Texts that are only code, numbers or placeholders may stay as they are.
    same = [
        source
        for source, t in messages()
        if t.text == source and re.search(r"[A-Za-z]{3}", FIELD.sub("", source))
    ]
    assert same == ["CSV (*.csv)", "true/false", "null"]
    assert sum(bool(CJK.search(t.text or "")) for _, t in messages()) > 0.95 * len(messages())


def _make_commands(ts: Path) -> list[str]:
    """The commands of ``make translations`` for a copy of the .ts (dry run: nothing runs)."""
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    listing = subprocess.run(
        ["make", "-n", "-s", "translations", f"TS={ts}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    commands = [line for line in listing.splitlines() if "pyside6-l" in line]
    assert len(commands) == 2, listing
    return commands


def test_ts_and_qm_are_up_to_date(tmp_path):
    """``make translations`` on a copy changes nothing: every tr() text of the sources is in
    the .ts (and nothing else), and the .qm is built from this .ts."""
    copy = tmp_path / TS.name
    shutil.copy(TS, copy)
    for command in _make_commands(copy):
        subprocess.run(command, shell=True, cwd=ROOT, check=True, capture_output=True)
    assert copy.read_bytes() == TS.read_bytes(), "run `make translations` and translate"
    assert copy.with_suffix(".qm").read_bytes() == QM.read_bytes(), "run `make translations`"


# ---- switching at run time ----------------------------------------------------------------------
def find(window, name):
    return window.findChild(QLabel, name)


def visible_texts(window) -> dict[str, object]:
    """A sample of what the window shows, across the widgets and the features."""
    from visualizer.widgets.help_dialog import help_html

    st = window.state
    return {
        "menus": [a.text() for a in window.menuBar().actions()],
        "view menu": [a.text() for a in window.menus["view"].actions()],
        "ops": [window.params_panel.op_combobox.itemText(i) for i in range(3)],
        "params title": window.params_panel.title(),
        "data title": window.data_panel.title(),
        "counter": find(window, "stepCounter").text(),
        # As read (the label's rich text keeps its formulas' spaces non-breaking).
        "arithmetic": html.unescape(find(window, "arithmetic").text()).replace("\xa0", " "),
        "formula": find(window, "formula").text(),
        "error": find(window, "paramError").text(),
        "input title": window.views_panel.input_view.title_label.text(),
        "grad title": window.views_panel.grad_input_view.title_label.text(),
        "undo": window.undo_action.text(),
        "tooltip": window.step_bar.play_button.toolTip(),
        "help": help_html(window),
        "presets": [a.text() for a in window.menus["presets"].actions()],
        "pitfalls": window.pitfalls_dock.windowTitle(),
        "code": window.code_panel.windowTitle(),
        "window": window.windowTitle(),
        "dY ones": [
            window.data_panel.dy_ones_button.text(),
            window.actions_by_name["gradOnesAction"].text(),
        ],
        "phase": st.phase,
    }


def test_switching_language_at_run_time_and_back(window, qtbot):
    st = window.state
    assert st.set_params(stride=(1, 1))  # an edit for the Edit menu to name
    st.set_params(padding=(2, 2))  # refused: more than half the kernel
    st.set_step(st.n_windows + 4)  # a backward step
    english = visible_texts(window)
    assert english["counter"] == "Backward 5 / 49"
    assert "padding (2) must be at most half of kernel_size (2)" in english["error"]
    assert english["undo"] == "Undo Change stride"

    chinese_action = window.findChild(type(window.undo_action), "languageChinese")
    english_action = window.findChild(type(window.undo_action), "languageEnglish")
    assert english_action.isChecked() and not chinese_action.isChecked()
    try:
        chinese_action.trigger()
        assert i18n.current_language() == CHINESE
        assert chinese_action.isChecked() and not english_action.isChecked()
        zh = visible_texts(window)
        assert zh["menus"][:3] == ["文件(&F)", "编辑(&E)", "数据(&D)"]
        assert zh["ops"] == ["最大池化", "平均池化", "卷积（互相关）"]
        assert zh["params title"] == "运算与参数"
        assert zh["data title"] == "数据"
        assert zh["counter"] == "反向 5 / 49"
        assert zh["error"] == "⚠ padding（2）最多只能是 kernel_size（2）的一半"
        assert "✗ 未应用：padding（2）最多只能是" in zh["formula"]
        assert zh["input title"] == "输入 X（8×8）"
        assert zh["grad title"] == "输入梯度 dX（迄今）"
        assert zh["undo"] == "撤销 修改 stride"
        assert zh["tooltip"] == "播放 / 暂停（Space）"
        assert "入门指南" in zh["help"] and "键盘快捷键" in zh["help"]
        assert zh["pitfalls"] == "常见错误：错误与正确对照"
        assert zh["code"] == "代码"
        assert zh["window"] == "池化可视化工具"
        # Beside "dY 随机" it stayed "dY = ones" (review 23).
        assert zh["dY ones"] == ["dY = 全 1", "dY = 全 1"]
        assert zh["arithmetic"].startswith("dY[0, 4] = 1 传给最大值：dX[")
        assert "预设(&P)" in zh["menus"] and "语言(&L)" in zh["view menu"]
        # Every sampled text changed, except what is the same in both languages.
        for key, text in english.items():
            if key != "phase":
                assert zh[key] != text, key
    finally:
        english_action.trigger()
    assert visible_texts(window) == english


def test_dialogs_and_docks_follow_the_language(window, chinese):
    from visualizer.widgets.help_dialog import show_help

    dialog = show_help(window)
    assert dialog.windowTitle() == "池化可视化工具 — 入门指南"
    assert "最大池化" in dialog.browser.toPlainText()
    i18n.set_language(ENGLISH)
    assert dialog.windowTitle() == "Pooling Visualizer — getting started"
    assert "Getting started" in dialog.browser.toPlainText()
    assert "最大池化" not in dialog.browser.toPlainText()
    dialog.close()


def test_presets_and_pitfalls_are_shown_in_chinese(window, chinese):
    window.presets.load(window.presets.preset_actions["02_max_pool_4x4"].data())
    explanation = window.findChild(QLabel, "presetExplanation").text()
    assert CJK.search(explanation)
    assert window.undo_action.text().startswith("撤销 载入预设：")
    panel = window.pitfalls_dock.panel
    window.pitfalls_dock.show()
    panel.select("max_zero_padding")
    assert panel.selector_combo.currentText() == "最大池化用 0 填充"
    assert CJK.search(find(window, "pitfallExplanation").text())
    assert CJK.search(find(window, "pitfallDiffCount").text())


def test_chinese_pitfall_table_covers_the_engine():
    from visualizer.widgets.pitfalls_panel import PITFALLS_ZH, SHOWS_WHEN

    keys = {p.key for p in pitfalls.PITFALLS}
    assert set(PITFALLS_ZH) == keys
    assert set(SHOWS_WHEN) == keys
    for title, explanation in PITFALLS_ZH.values():
        assert CJK.search(title) and CJK.search(explanation)


def test_every_preset_has_a_chinese_title_and_explanation():
    from visualizer.presets import list_presets, load_preset

    for path in list_presets():
        preset = load_preset(path)
        assert preset.title_zh and CJK.search(preset.title_zh), path.name
        assert preset.explanation_zh and CJK.search(preset.explanation_zh), path.name


def test_preset_translations_are_validated(tmp_path):
    from visualizer.presets import load_preset

    data = {
        "format": "pooling-visualizer-preset",
        "version": 1,
        "title": "T",
        "explanation": "E.",
        "title_zh": 3,
        "op": "max",
        "input": [[1, 2], [3, 4]],
    }
    path = tmp_path / "p.json"
    path.write_text(__import__("json").dumps(data), encoding="utf-8")
    with pytest.raises(ValueError, match='"title_zh" must be a non-empty string'):
        load_preset(path)


# ---- the step's words ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("op", "params"),
    [
        ("max", {}),
        ("max", {"kernel_size": (3, 3), "stride": (1, 1), "padding": (1, 1), "ties": "all"}),
        ("max", {"kernel_size": (3, 3), "stride": (1, 1), "ties": "split"}),
        ("max", {"kernel_size": (2, 2), "stride": (2, 2), "dilation": (4, 4), "ceil_mode": True}),
        ("avg", {"padding": (1, 1), "count_include_pad": False}),
        ("avg", {"divisor_override": 3, "ceil_mode": True, "kernel_size": (3, 3)}),
        ("conv", {}),
        ("conv", {"bias": None, "padding": (1, 1)}),
    ],
)
def test_backward_words_in_english_are_the_engines(qapp, op, params):
    """The state composes the backward sentence itself (to translate it); in English it must
    say exactly what the engine's record says."""
    st = AppState()
    st.set_input(np.array(engine_input(), dtype=float))
    assert st.set_op(op)
    assert st.set_params(**params), st.error
    st.fill_grad_output("random", 3)
    for i in range(st.n_windows):
        st.set_step(st.n_windows + i)
        assert st.step_text() == st.results.trace.backward_step(i).text


def engine_input() -> list[list[int]]:
    # Ties, negatives and zeros, so that every tie policy and sign shows up.
    return [[1, 3, 3, 0, -2], [3, -1, 2, 2, 5], [0, 4, 4, -3, 1], [2, 2, -5, 0, 0], [1, 0, 3, 3, 1]]


def test_backward_words_in_chinese(qapp, chinese):
    st = AppState()
    st.set_step(st.n_windows)
    assert st.step_text() == "dY[0, 0] = 1 传给最大值：dX[0, 1] += 1 → 1"
    st.set_op("avg")
    sentence, *lines = st.step_text().split("\n")
    assert sentence.endswith("加到 dX 中该窗口的每个输入单元格上（共 4 个）")
    assert lines == list(st.results.trace.step("backward", 0).lines)  # numbers: as they are
    st.set_op("conv")
    assert st.step_text().startswith("dY[0, 0] = 1：窗口中每个单元格的 dX 加上 1·它的权重")
    st.set_step(0)
    assert st.step_text() == st.results.trace.forward_step(0).text  # arithmetic: as it is


@pytest.mark.parametrize(
    ("language", "said"),
    [
        (ENGLISH, "; db also takes the 20 dY cells no patch reaches: 406"),
        (CHINESE, "；db 还加上没有任何区块覆盖的 20 个 dY 单元格：406"),
    ],
    ids=[ENGLISH, CHINESE],
)
def test_the_last_transposed_step_says_what_db_takes_outside_every_patch(qapp, language, said):
    """Stride 3 with a 2×2 kernel and output_padding 1 on a 2×2 input: a 6×6 output whose rows
    and columns 2 and 5 (20 cells) no patch reaches.  With dY[r, c] = 6r + c they hold
    630 − 224 = 406, which db takes at the last step (after 14 + 26 + 86 = 126, and its own
    patch's 21 + 22 + 27 + 28 = 98): its sentence says so, in either language."""
    st = AppState()
    st.set_input(np.array([[1.0, 2.0], [3.0, 4.0]]))
    assert st.set_op("conv_transpose2d")
    assert st.set_params(kernel_size=(2, 2), stride=(3, 3), output_padding=(1, 1)), st.error
    assert st.params.bias is not None
    assert st.grad_output.shape[-2:] == (6, 6)
    for r in range(6):
        for c in range(6):
            assert st.set_grad_output_cell(r, c, 6.0 * r + c)
    i18n.set_language(language)
    try:
        st.set_step(st.n_steps - 1)
        sentence, *lines = st.step_text().split("\n")
    finally:
        i18n.set_language(ENGLISH)
    assert sentence.endswith(said)
    assert lines[-1].endswith("db: 126 + 98 + 406 = 630")  # numbers: the same in both
    st.set_step(st.n_steps - 2)
    assert "406" not in st.step_text()


# ---- the engine's messages ----------------------------------------------------------------------
X = np.zeros((1, 1, 4, 4))
XC = np.zeros((1, 4, 5, 5))
W = np.zeros((2, 4, 3, 3))
TRACE_AVG = engine.trace_avg_pool2d(np.zeros((4, 4)), 2)
PLANE = np.zeros((4, 4))

INVALID_CALLS = [
    lambda: engine.max_pool2d(X, "a"),
    lambda: engine.max_pool2d(X, (1, 2, 3)),
    lambda: engine.max_pool2d(X, 0),
    lambda: engine.max_pool2d(X, 2, stride=(1, -1)),
    lambda: engine.max_pool2d(X, 2, dilation=0),
    lambda: engine.max_pool2d(X, 2, ceil_mode="yes"),
    lambda: engine.max_pool2d(X, 2, padding=-1),
    lambda: engine.max_pool2d(X, 3, padding=2),
    lambda: engine.avg_pool2d(X, (3, 2), padding=(1, 2)),
    lambda: engine.max_pool2d(X, 5),
    lambda: engine.avg_pool2d(np.zeros((1, 8)), 4, 2, ceil_mode=True),
    lambda: engine.max_pool2d(X, 3, padding=1, dilation=3),
    lambda: engine.conv2d(XC, W, padding="same", stride=2),
    lambda: engine.conv2d(XC, W, padding="full"),
    lambda: engine.conv2d(np.zeros((1, 4, 2, 2)), W),
    lambda: engine.conv2d(XC, W, dilation=3),
    lambda: geometry.pool_geometry((0, 4), 1),
    lambda: geometry.pool_geometry((4, 4), 2).position(4),
    lambda: geometry.pool_geometry((4, 4), 2).window_taps(2, 0),
    lambda: engine.max_pool2d_backward(np.zeros((3, 3)), PLANE, 2),
    lambda: engine.max_pool2d_backward(np.zeros((2, 2), bool), PLANE, 2),
    lambda: engine.max_pool2d_backward(np.zeros((2, 2)), PLANE, 2, ties="last"),
    lambda: engine.max_pool2d_backward(np.zeros((2, 2)), PLANE, 2, indices=np.zeros((3, 3), int)),
    lambda: engine.max_pool2d_backward(np.zeros((2, 2)), PLANE, 2, indices=np.zeros((2, 2))),
    lambda: engine.max_pool2d_backward(
        np.zeros((2, 2)), PLANE, 2, indices=np.full((2, 2), 99, int)
    ),
    lambda: engine.avg_pool2d(X, 2, divisor_override=1.5),
    lambda: engine.avg_pool2d(X, 2, divisor_override=0),
    lambda: engine.avg_pool2d(X, 2, count_include_pad="no"),
    lambda: engine.conv2d(XC[0, 0], W),
    lambda: engine.conv2d(XC, np.zeros((4, 3, 3))),
    lambda: engine.conv2d(XC, W, groups=0),
    lambda: engine.conv2d(XC, np.zeros((0, 4, 3, 3))),
    lambda: engine.conv2d(XC, np.zeros((2, 1, 3, 3)), groups=4),
    lambda: engine.conv2d(XC, np.zeros((2, 3, 3, 3))),
    lambda: engine.conv2d(XC, W, bias=np.zeros(3)),
    lambda: engine.conv2d_backward(np.zeros((1, 2, 4, 4)), XC, W),
    lambda: engine.max_pool2d(np.zeros((4, 4), bool), 2),
    lambda: engine.avg_pool2d(np.zeros(4), 1),
    lambda: engine.max_pool2d(np.zeros((0, 4)), 1),
    lambda: pitfalls.wrong_max_pool2d_zero_padding(np.zeros((1, 4, 4)), 2),
    lambda: pitfalls.wrong_pool2d_reshape(PLANE, 2, mode="median"),
    lambda: pitfalls.wrong_conv2d_bias_per_product(np.zeros((2, 4, 4)), np.ones((3, 2, 2))),
    lambda: pitfalls.evaluate("max_backward_ignores_stride", PitfallCase("max", PLANE)),
    lambda: pitfalls.get_pitfall("nope"),
    lambda: pitfalls.evaluate("conv_bias_per_product", PitfallCase("max", PLANE)),
]
# Some errors of traces are still plain ValueErrors: they are translated once they are
# ParameterErrors (with these templates, already in visualizer/engine_messages.py).
TRACE_CALLS = [
    lambda: TRACE_AVG.mask_counts_after(0),
    lambda: TRACE_AVG.grad_input_after(9),
    lambda: engine.trace_max_pool2d(np.zeros((1, 4, 4)), 2),
    lambda: engine.trace_conv2d(np.zeros((2, 4, 4)), np.ones((3, 2, 2))),
    lambda: engine.trace_conv2d(np.zeros((1, 2, 4, 4)), np.ones((2, 2, 2))),
]
TRACE_TEMPLATES = {
    "{name} must be one (H, W) plane for a trace; got shape {shape}",
    "a conv trace takes x (C, H, W) and weight (C, kH, kW); got {x} and {weight}",
}


def engine_errors() -> list[ValueError]:
    """What the engine raises for invalid input: ParameterErrors (and the trace's errors)."""
    found = []
    for call in INVALID_CALLS + TRACE_CALLS:
        with pytest.raises(ValueError) as info:
            call()
        assert isinstance(info.value, ParameterError) or call in TRACE_CALLS, info.value
        found.append(info.value)
    return found


def formula_remarks() -> list[Message]:
    """The remarks engine.explain_output_size adds to a formula line: one of each kind."""
    lines = engine.explain_output_size((4, 4), (2, 2), (0, 1), (0, 0), (0, 0), (1, 1), False)
    lines += engine.explain_output_size((5, 4), (2, 2), (2, 2), (1, 1), (1, 1), (1, 1), True)
    lines += engine.explain_output_size((1, 1), (4, 4), (1, 1), (0, 0), (0, 0), (1, 1), False)
    remarks = [line for line in lines if isinstance(line, Message)]
    assert len({r.template for r in remarks}) == 3
    return remarks


def engine_templates() -> set[str]:
    """Every template the engine writes: the first argument of each ParameterError(…) and
    Message(…) in engine/ (its own files and every operation's), a string literal or a name
    given a string literal at the top of the same module (``LAYER_ERROR = "…"``)."""
    found = set()
    for path in sorted((ROOT / "engine").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        constants = {
            target.id: node.value.value
            for node in tree.body
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
            for target in node.targets
            if isinstance(target, ast.Name) and isinstance(node.value.value, str)
        }
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and node.args):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            first = node.args[0]
            if name not in ("ParameterError", "Message"):
                continue
            if isinstance(first, ast.Constant):
                found.add(first.value)
            elif isinstance(first, ast.Name) and first.id in constants:
                found.add(constants[first.id])
    return found


def test_every_engine_template_is_in_the_catalogue():
    sources = {source for source, _ in messages()}
    missing = sorted(engine_templates() - sources)
    assert not missing, "add to visualizer/engine_messages.py, run `make translations`"


def test_the_engine_message_table_has_no_stale_entry():
    from visualizer.engine_messages import ENGINE_MESSAGES

    assert len(set(ENGINE_MESSAGES)) == len(ENGINE_MESSAGES)
    stale = set(ENGINE_MESSAGES) - engine_templates() - TRACE_TEMPLATES
    assert not stale, "no engine message has this template any more"


def test_every_engine_message_is_translated(qapp, chinese):
    structured = [e for e in engine_errors() if isinstance(e, ParameterError)]
    assert len(structured) >= len(INVALID_CALLS)
    for error in structured + formula_remarks():
        translated = i18n.translate_message(error)
        assert CJK.search(translated), error
        assert translated == i18n.tr(error.template).format(
            **{
                k: i18n.translate_message(v) if isinstance(v, Message) else v
                for k, v in error.fields.items()
            }
        )
        # Every value is filled in ...
        values = [i18n.translate_message(v) for v in error.fields.values()]
        for value in values:
            assert value in translated, (error, value)
        # ... and no rule words stay behind in English: the English words left are those of
        # the values, or code (argument names (PyTorch's), Python values, formula names).
        words = english_words(translated) - english_words(" ".join(values))
        code = {"padding", "same", "valid", "ceil", "floor", "bias", "weight", "dtype", "groups"}
        code |= {"indices", "ties", "first", "split", "mode", "true", "false", "none", "shape"}
        assert not words - code, (str(error), translated)


def test_a_word_field_is_translated_too(qapp, chinese):
    with pytest.raises(ParameterError) as info:
        engine.max_pool2d(np.zeros((8, 1)), 2, stride=1)
    translated = i18n.translate_message(info.value)
    assert "（宽：floor((1 + 2·0 − 2) / 1) + 1 = 0）" in translated
    assert "width" not in translated


def english_words(text: str) -> set[str]:
    """Words of four letters or more, leaving out identifiers (kernel_size, return_indices=)."""
    return {w.lower() for w in re.findall(r"[A-Za-z_]+", text) if len(w) >= 4 and "_" not in w}


def test_english_messages_pass_through_unchanged(qapp):
    for error in engine_errors() + formula_remarks():
        assert i18n.translate_message(error) == str(error)
    assert i18n.translate_message("something else entirely") == "something else entirely"
    assert i18n.translate_message(ValueError("plain")) == "plain"
    assert i18n.translate_message(None) == ""


def test_text_that_is_not_structured_is_never_parsed(qapp, chinese):
    # An English sentence that happens to read like a template stays as it is: only the
    # template carried by an error is translated.
    text = "padding (2) must be at most half of kernel_size (2)"
    assert i18n.translate_message(text) == text
    assert i18n.translate_message(ValueError(text)) == text
    assert i18n.translate_message(engine.max_pool2d.__name__) == "max_pool2d"


def test_the_states_own_messages_are_translated(qapp, chinese, tmp_path):
    st = AppState()
    assert not st.resize_input(0, 5)
    assert isinstance(st.error, ParameterError)
    assert i18n.translate_message(st.error).startswith("输入大小（0x5）的每一边都必须在 1 到 64")
    assert not st.set_shape(0, 1)
    assert i18n.translate_message(st.error) == "批次（0）和通道数（1）至少为 1"
    assert not st.set_out_channels(0)
    assert i18n.translate_message(st.error) == "输出通道数（0）至少为 1"
    assert not st.set_op("median")
    assert i18n.translate_message(st.error).startswith("运算（'median'）必须是")
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"not an image")
    with pytest.raises(ValueError) as info:
        load_image(bad)
    assert i18n.translate_message(info.value).startswith("无法读取图像（bad.png）")


def test_the_state_keeps_the_error_and_signals_the_english_text(qapp, qtbot):
    st = AppState()
    with qtbot.waitSignal(st.sigError) as blocker:
        assert not st.set_params(kernel_size=(2, 2), padding=(2, 2))
    assert isinstance(st.error, ParameterError)
    assert blocker.args == ["padding (2) must be at most half of kernel_size (2)"]
    assert st.error.fields == {"padding": "2", "kernel": "2"}
    assert st.error.__traceback__ is None  # it does not keep the refused arrays alive
    with qtbot.waitSignal(st.sigError) as blocker:
        assert st.set_params(padding=(1, 1))
    assert st.error is None and blocker.args == [""]


def test_a_refusal_is_shown_in_chinese_with_its_values(window, chinese):
    st = window.state
    assert not st.set_params(kernel_size=(9, 9), stride=(9, 9))
    error = find(window, "paramError").text()
    assert error.startswith("⚠ 在步长 9、填充 0、膨胀 1 下，kernel_size（9）对输入（8x8）来说太大")
    assert "（高：floor((8 + 2·0 − 9) / 9) + 1 = 0）" in error
    assert window.statusBar().currentMessage() == error.removeprefix("⚠ ")
    formula = find(window, "formula").text()
    assert "✗ 输出至少要为 1" in formula and "✗ 未应用：在步长 9" in formula


def test_a_refusal_on_screen_changes_language_with_the_ui(window):
    st = window.state
    assert not st.set_params(padding=(-1, 0))
    english = "⚠ padding (-1, 0) must be non-negative"
    assert find(window, "paramError").text() == english
    try:
        i18n.set_language(CHINESE)
        assert find(window, "paramError").text() == "⚠ padding（-1, 0）不能为负数"
        assert "padding（-1, 0）不能为负数" in window.statusBar().currentMessage()
    finally:
        i18n.set_language(ENGLISH)
    assert find(window, "paramError").text() == english


def test_an_unreadable_image_is_reported_in_chinese(window, chinese, tmp_path):
    bad = tmp_path / "broken.png"
    bad.write_bytes(b"not an image")
    assert not window.data_panel.load_image_file(str(bad))
    assert window.statusBar().currentMessage().startswith("无法读取图像（broken.png）：")
    assert find(window, "paramError").text().startswith("⚠ 无法读取图像（broken.png）：")


def test_a_nested_engine_message_is_translated_inside_a_preset_error(window, chinese, tmp_path):
    path = tmp_path / "wide.json"
    path.write_text(
        '{"format": "pooling-visualizer-preset", "version": 1, "title": "T",'
        ' "explanation": "E.", "op": "max", "params": {"kernel_size": 5},'
        ' "input": [[1, 2], [3, 4]]}',
        encoding="utf-8",
    )
    assert not window.presets.load(path)
    message = window.statusBar().currentMessage()
    assert message.startswith("未载入预设：wide.json：参数对这个输入无效：")
    assert "太大" in message


# ---- the default language and the setting -------------------------------------------------------
@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        (QLocale(QLocale.Chinese, QLocale.China), CHINESE),
        (QLocale(QLocale.Chinese, QLocale.Taiwan), CHINESE),
        (QLocale(QLocale.English, QLocale.UnitedStates), ENGLISH),
        (QLocale(QLocale.German, QLocale.Germany), ENGLISH),
    ],
)
def test_default_follows_the_system_locale(qapp, monkeypatch, locale, expected):
    monkeypatch.setattr(i18n.QLocale, "system", staticmethod(lambda: locale))
    assert i18n.system_language() == expected
    assert i18n.startup_language() == expected  # nothing saved yet
    assert i18n.startup_language(ENGLISH) == ENGLISH  # the command line wins


def test_the_choice_is_saved_and_wins_over_the_system(window, monkeypatch):
    monkeypatch.setattr(i18n.QLocale, "system", staticmethod(lambda: QLocale(QLocale.English)))
    try:
        window.findChild(type(window.undo_action), "languageChinese").trigger()
    finally:
        window.findChild(type(window.undo_action), "languageEnglish").trigger()
    assert app_settings().value(i18n.SETTINGS_KEY) == ENGLISH
    i18n.save_language(CHINESE)
    assert app_settings().value(i18n.SETTINGS_KEY) == CHINESE
    assert i18n.startup_language() == CHINESE


def test_batch_runs_neither_read_nor_write_the_choice(qapp, monkeypatch):
    monkeypatch.setattr(i18n.QLocale, "system", staticmethod(lambda: QLocale(QLocale.English)))
    i18n.save_language(CHINESE)
    qapp.setProperty(BATCH_PROPERTY, True)
    try:
        assert i18n.startup_language() == ENGLISH
        i18n.save_language(ENGLISH)
    finally:
        qapp.setProperty(BATCH_PROPERTY, False)
    assert app_settings().value(i18n.SETTINGS_KEY) == CHINESE


def test_unknown_language_is_refused(qapp):
    with pytest.raises(ValueError, match="language"):
        i18n.set_language("fr")
    assert i18n.current_language() == ENGLISH
    assert QCoreApplication.translate("", "Max pooling") == "Max pooling"


def test_command_line_language(tmp_path):
    """``--language zh_CN`` renders the window in Chinese; errors are said in Chinese too."""
    shot = tmp_path / "zh.png"
    ok = subprocess.run(
        [sys.executable, "main.py", "--language", "zh_CN", "--screenshot", str(shot)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert ok.returncode == 0, ok.stderr
    assert shot.stat().st_size > 0
    bad = subprocess.run(
        [sys.executable, "main.py", "--language", "zh_CN", "--kernel", "9", "--screenshot", "x"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 2
    assert "太大" in bad.stderr


@pytest.mark.parametrize("key", ["adaptive_avg_pool2d", "adaptive_max_pool2d"])
def test_the_adaptive_window_lines_are_said_in_chinese(qapp, chinese, key):
    """The output-size panel of adaptive pooling said "H_out = 2: window i = [floor(…" in the
    Chinese window: the line was an English f-string.  It is a Message now (its formulas and
    numbers are fields), translated like the other formula lines."""
    state = AppState()
    state.set_op(key)
    lines = state.formula_lines()[:2]
    assert all(isinstance(line, Message) for line in lines)
    for line, (name, size) in zip(lines, (("H_out", 8), ("W_out", 8)), strict=True):
        shown = i18n.translate_message(line)
        assert "window" not in shown and "窗口" in shown, shown
        # The formula and its numbers are the English line's, word for word.
        assert shown.startswith(f"{name} = 2：")
        assert f"[floor(i·{size}/2), ceil((i+1)·{size}/2)) → [0, 4), [4, 8)" in shown
    i18n.set_language(ENGLISH)
    assert i18n.translate_message(lines[0]) == str(lines[0])
    assert str(lines[0]).startswith("H_out = 2: window i = [floor(i·H/H_out)")


def test_the_dw_title_says_so_far_in_the_chinese_lecture_layout(window, qtbot, chinese):
    """In the lecture layout the narrow dW view showed "dW so far" in English but only "dW" in
    Chinese: "dW（到目前为止）" did not fit and the title fell back to its bare symbol.  A
    shorter Chinese wording that still says "so far" is tried first."""
    st = window.state
    st.set_op("conv2d")
    st.set_params(kernel_size=2, padding=1)
    window.resize(1366, 768)
    window.presentation.set_presentation(True, save=False)
    st.set_step(st.n_windows + 34)
    for _ in range(4):
        QApplication.processEvents()
        qtbot.wait(5)
    label = window.views_panel.grad_weight_view.title_label
    assert label.isVisible()
    assert label.text() == "dW（迄今）", label.text()
    assert label.fits(label.text())


def test_close_up_titles_follow_the_language(qapp):
    """A close-up's title is in the language chosen, after a switch and a switch back (its
    texts are kept per language, not translated anew on every step)."""
    from visualizer.widgets.matrix_view import close_up_titles

    assert close_up_titles((0, 3), (4, 7))[0] == "Close-up: rows 0–3, columns 4–7"
    i18n.set_language(CHINESE)
    try:
        assert close_up_titles((0, 3), (4, 7))[0] == "放大：第 0–3 行，第 4–7 列"
    finally:
        i18n.set_language(ENGLISH)
    assert close_up_titles((0, 3), (4, 7))[0] == "Close-up: rows 0–3, columns 4–7"
