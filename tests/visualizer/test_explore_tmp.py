import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget, QApplication
def test_typing(window, qtbot):
    st = window.state
    v = window.findChild(QWidget, "inputMatrix")
    t = v.table
    window.activateWindow()
    qtbot.waitActive(window)
    idx = v.model.index(0, 0)
    t.setFocus()
    t.setCurrentIndex(idx)
    qtbot.keyClick(t, "4")
    print("focus", QApplication.focusWidget(), t.state(), t.indexWidget(idx))
    ed = QApplication.focusWidget()
    qtbot.keyClicks(ed, "2")
    print(ed.text() if hasattr(ed, "text") else None)
    qtbot.keyClick(ed, Qt.Key_Return)
    QApplication.processEvents()
    print(st.x[0,0,0,0], v.matrix()[0,0], t.currentIndex().row(), QApplication.focusWidget())
