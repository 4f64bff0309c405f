"""Builds demo.sqlite, the sales database the bundled example's generate-report endpoint reads.

Run ``python resources/examples/build_demo_db.py`` to rebuild it; the data is
fixed (seeded) so the report is the same on every machine.
"""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path

REGIONS = ["North", "South", "East", "West", "Central"]
PRODUCTS = {"Widget": 19.5, "Gadget": 42.0, "Gizmo": 7.25, "Doohickey": 99.0}


def build(path: Path) -> None:
    path.unlink(missing_ok=True)
    rng = random.Random(2026)
    with sqlite3.connect(path) as db:
        db.execute(
            "CREATE TABLE orders (id INTEGER PRIMARY KEY, region TEXT NOT NULL, product TEXT NOT NULL,"
            " quantity INTEGER NOT NULL, unit_price REAL NOT NULL, ordered_at TEXT NOT NULL)"
        )
        rows = []
        for order_id in range(1, 241):
            product = rng.choice(list(PRODUCTS))
            month, day = rng.randint(1, 10), rng.randint(1, 28)
            rows.append((order_id, rng.choice(REGIONS), product, rng.randint(1, 12), PRODUCTS[product], f"2026-{month:02d}-{day:02d}"))
        db.executemany("INSERT INTO orders VALUES (?, ?, ?, ?, ?, ?)", rows)
    with sqlite3.connect(path) as db:
        db.execute("VACUUM")


if __name__ == "__main__":
    build(Path(__file__).with_name("demo.sqlite"))
