"""Tests against a real ``streamwright serve`` with clients written by others: curl and headless Chromium."""
