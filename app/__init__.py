"""Streamwright: design streaming API endpoints and the interfaces that show their progress live."""

__version__ = "0.1.0"
