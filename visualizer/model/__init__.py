"""The app's document and its computation, free of Qt (tested without a QApplication).

``Document`` is what an edit changes and what undo restores and a session stores;
:func:`compute` runs the operation's spec once per edit and returns :class:`Results`;
:class:`StepCursor` is the position of the stepping; :mod:`visualizer.model.present` turns
results and the cursor into the planes and highlights the views draw.  ``visualizer.state``
is a thin Qt layer (signals, undo stack) over these.
"""

from visualizer.model.compute import Results, compute, fit_grad
from visualizer.model.cursor import StepCursor
from visualizer.model.document import Document, default_params

__all__ = ["Document", "Results", "StepCursor", "compute", "default_params", "fit_grad"]
