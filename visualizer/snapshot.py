"""What one edit can change, as plain data (Qt-free): kept for the modules that import it here.

The document lives in :mod:`visualizer.model.document`; parameters are the registry's
:class:`engine.ops.Params`.
"""

from engine.ops import Params
from visualizer.model.document import Document

Snapshot = Document

__all__ = ["Params", "Snapshot"]
