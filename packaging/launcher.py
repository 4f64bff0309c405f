"""Entry point of the packaged build: the same ``main`` as the ``streamwright`` command and ``python -m app``.

``serve --workers N`` starts its workers (and multiprocessing its resource tracker) by running
this executable again with multiprocessing's own arguments; ``freeze_support`` recognises those
and runs the child, where ``main`` would take them for an unknown command.
"""

import multiprocessing

multiprocessing.freeze_support()

from app.cli.launch import main  # noqa: E402

raise SystemExit(main())
