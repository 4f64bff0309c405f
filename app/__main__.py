"""`python -m app` is the same as the `streamwright` command."""

from app.cli.main import main

raise SystemExit(main())
