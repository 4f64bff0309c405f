"""Formulas that build huge values or run long inside one built-in: each must stop at a bound.

Shared by tests/core/test_formula_bounds.py and tests/perf/bench_formula_bounds.py.
"""

from __future__ import annotations

BOMBS: dict[str, str] = {
    "string doubled in $reduce": '$reduce([1..30], function($a, $i) { $a & $a }, "x")',
    "string doubled by recursion": '($f := function($s, $n) { $n = 0 ? $s : $f($s & $s, $n - 1) }; $length($f("x", 30)))',
    "nested ranges": "[1..10000].([1..10000])",
    "sum of nested ranges": "$sum([1..10000].([1..10000]))",
    "array doubled": "$reduce([1..26], function($a, $i) { $append($a, $a) }, [1])",
    "join of millions of strings": "$join([1..9999999].$string($))",
    "ten-million range": "$count([1..10000000])",
    "distinct of a big range": "$distinct([1..100000])",
}
