"""`python -m app` is the same as the `streamwright` command."""

from app.cli.launch import main

raise SystemExit(main())
