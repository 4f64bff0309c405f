"""Built-in widget types, one module each; every module exposes ``WIDGET`` (see ``registry``)."""
