"""Qt widgets of the editor: main window, workflow canvas, inspector, panels."""
