#!/usr/bin/env bash
# `make test` three times in a row while a CPU hog keeps one core busy: the suite must stay green
# on a loaded machine, not only on an idle one. Prints each run's result and time (and the load
# average before it); each run's full output goes to out/stress/run-N.log. The hog is killed on
# exit, also on Ctrl-C or a failed run. Exit status: 0 only if every run passed.
#
#   scripts/stress_ci.sh            # or: make stress
#   RUNS=5 scripts/stress_ci.sh     # more runs
set -u
cd "$(dirname "$0")/.."

RUNS=${RUNS:-3}
LOGS=out/stress
mkdir -p "$LOGS"

python3 -c 'while True: pass' &
HOG=$!
RUN=
cleanup() {
  # A run still going (Ctrl-C, kill): interrupt its process group as Ctrl-C would, so pytest tears
  # down its servers and browsers; whatever is left after that is stopped.
  if [ -n "$RUN" ] && kill -0 "$RUN" 2>/dev/null; then
    kill -INT -- "-$RUN" 2>/dev/null
    for _ in $(seq 30); do kill -0 "$RUN" 2>/dev/null || break; sleep 1; done
    kill -TERM -- "-$RUN" 2>/dev/null
  fi
  kill "$HOG" 2>/dev/null && wait "$HOG" 2>/dev/null
}
trap cleanup EXIT
trap 'echo; echo "interrupted"; exit 130' INT TERM

echo "stress: $RUNS x make test, CPU hog pid $HOG on one of $(nproc) cores; logs in $LOGS/"
failed=0
summary=()
for i in $(seq 1 "$RUNS"); do
  log="$LOGS/run-$i.log"
  echo "run $i: started $(date '+%H:%M:%S'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
  start=$(date +%s)
  # In its own process group (setsid), run in the background and waited for: a signal to this
  # script is handled at once, not after the run.
  setsid make test >"$log" 2>&1 &
  RUN=$!
  wait "$RUN"
  status=$?
  RUN=
  took=$(( $(date +%s) - start ))
  # pytest's last line: "N passed, M failed ... in S s"
  result=$(grep -E '^=*.* (passed|failed|error).* in [0-9.]+s' "$log" | tail -1 | tr -d '=' | sed 's/^ *//')
  if [ "$status" -eq 0 ]; then verdict=green; else verdict="FAILED (exit $status)"; failed=$((failed + 1)); fi
  line="run $i: $verdict in ${took} s (make test) - ${result:-no pytest summary, see $log}"
  echo "$line"
  summary+=("$line")
done

echo
echo "stress summary ($(nproc) cores, one kept busy):"
printf '  %s\n' "${summary[@]}"
[ "$failed" -eq 0 ] && echo "all $RUNS runs green" || echo "$failed of $RUNS runs failed"
exit $(( failed > 0 ))
