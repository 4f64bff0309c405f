"""The ``streamwright`` command line."""
