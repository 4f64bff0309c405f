"""A page running in the editor's preview: its session, its bindings and what they may read."""
