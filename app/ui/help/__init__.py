"""The Help menu: getting started, keyboard shortcuts, the formula reference, about.

Each dialog is its own module, imported and built the first time it opens, so
the Help menu costs the main window's start-up nothing but its actions.
"""
