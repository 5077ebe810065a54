"""Widgets of the main window: they call state setters and listen to state signals."""
