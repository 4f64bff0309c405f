#!/usr/bin/env bash
# Run pytest ROUNDS times in a row while a CPU hog spins on every core, as a busy CI machine would be.
#
#   tests/stress/run_loaded.sh [-n ROUNDS] [-j HOGS] [PYTEST ARGS...]
#   tests/stress/run_loaded.sh -n 3 tests/ui tests/core tests/editor
#
# ROUNDS defaults to 3, HOGS to the number of cores (nproc). Each round's
# result is printed as it ends, then a summary; the exit code is 1 if any
# round failed. The hogs are killed on exit, however the script ends.
# Not collected by pytest (no test_*.py here).
set -u
cd "$(dirname "$0")/../.."

rounds=3
hogs=$(nproc)
while getopts "n:j:" option; do
  case $option in
    n) rounds=$OPTARG ;;
    j) hogs=$OPTARG ;;
    *) echo "usage: $0 [-n ROUNDS] [-j HOGS] [PYTEST ARGS...]" >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))

python=.venv/bin/python
[ -x "$python" ] || python=python3
export QT_QPA_PLATFORM=${QT_QPA_PLATFORM:-offscreen}

pids=()
tests=""
stop_all() {
  [ -n "$tests" ] && kill "$tests" 2>/dev/null
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
  wait 2>/dev/null
}
trap stop_all EXIT
trap 'exit 130' INT TERM

for _ in $(seq "$hogs"); do
  python3 -c 'while True: pass' &
  pids+=($!)
done
echo "run_loaded: $hogs CPU hog(s) on $(nproc) core(s); $rounds round(s) of: pytest $*"

failed=0
for round in $(seq "$rounds"); do
  log=$(mktemp -t run_loaded.XXXXXX)
  started=$(date +%s)
  # in the background and waited for, so a signal to this script is handled at once
  "$python" -m pytest -q -p no:cacheprovider -rfE "$@" >"$log" 2>&1 &
  tests=$!
  if wait "$tests"; then
    verdict=pass
  else
    verdict=FAIL
    failed=$((failed + 1))
  fi
  tests=""
  summary=$(grep -E "^(=+ )?[0-9]+ (passed|failed)|^FAILED|^ERROR|(passed|failed|error).* in [0-9.]+s" "$log" | tail -5)
  echo "round $round/$rounds: $verdict ($(($(date +%s) - started)) s) ${summary//$'\n'/ | }"
  if [ "$verdict" = FAIL ]; then
    echo "  full output: $log"
  else
    rm -f "$log"
  fi
done
echo "run_loaded: $((rounds - failed))/$rounds round(s) passed"
[ "$failed" -eq 0 ]
