"""Entry point of the packaged build: the same ``main`` as the ``streamwright`` command and ``python -m app``."""

from app.cli.main import main

raise SystemExit(main())
