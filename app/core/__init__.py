"""Headless core: project model, action registry, formulas, lint and file I/O (no Qt, no HTTP serving)."""
