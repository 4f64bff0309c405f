"""Entry point of the packaged build: the same ``main`` as the ``streamwright`` command and ``python -m app``."""

from app.cli.launch import main

raise SystemExit(main())
