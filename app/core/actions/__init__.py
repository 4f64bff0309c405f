"""Built-in action types, one module each; every module exposes ``ACTION``."""
