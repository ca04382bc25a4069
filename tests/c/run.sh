#!/bin/sh
# Run the C test binaries and the examples/signup driver test one way:
#
#   tests/c/run.sh plain|valgrind|sanitized REPORT_DIR SIGNUP_PROGRAM TEST...
#
#   plain      as they are
#   valgrind   under $VALGRIND (mk/c.mk): a test fails on any memcheck error or
#              leak (--error-exitcode); the signup example runs through a
#              wrapper that logs to REPORT_DIR, because the driver test checks
#              the program's own exit status: any non-empty log fails
#              ($VALGRIND has --quiet, so a log holds errors only).
#   sanitized  binaries built with AddressSanitizer + UBSan, run with the
#              caller's ASAN_OPTIONS and UBSAN_OPTIONS: a report fails the
#              test; the example's reports go to files in REPORT_DIR (its
#              exit status is the driver's to check), and any such file fails.
#
# Every program runs even after a failure; the exit status is 1 if any failed.
set -u

mode=$1 reports=$2 signup=$3
shift 3
python=${PYTHON:-python3}
driver=tests/examples/test_signup_example.py
failed=""
started=$(date +%s)

fail() {
  failed="$failed $1"
}

run_test() { # label command...
  label=$1
  shift
  echo "== $label"
  "$@" || fail "$label"
}

rm -rf "$reports"
mkdir -p "$reports"

case $mode in
plain)
  for t in "$@"; do run_test "$t" "$t"; done
  run_test "$driver" "$python" "$driver" "$signup"
  ;;
valgrind)
  for t in "$@"; do
    # shellcheck disable=SC2086  # $VALGRIND is a command line
    run_test "valgrind $t" $VALGRIND --error-exitcode=1 "$t"
  done
  wrapper=$reports/signup
  printf '#!/bin/sh\nexec %s --log-file=%s/signup.%%p.log %s "$@"\n' \
    "$VALGRIND" "$(cd "$reports" && pwd)" "$(cd "$(dirname "$signup")" && pwd)/$(basename "$signup")" >"$wrapper"
  chmod +x "$wrapper"
  run_test "valgrind $driver" "$python" "$driver" "$wrapper"
  logs=$(ls "$reports"/signup.*.log 2>/dev/null | wc -l)
  echo "# $logs runs of $signup under valgrind"
  [ "$logs" -gt 0 ] || fail "valgrind: no log from $signup"
  # --quiet: a log holds nothing but errors.
  for log in "$reports"/signup.*.log; do
    if [ -s "$log" ]; then
      cat "$log"
      fail "valgrind $log"
    fi
  done
  ;;
sanitized)
  for t in "$@"; do run_test "asan+ubsan $t" "$t"; done
  log_dir=$(cd "$reports" && pwd)
  run_test "asan+ubsan $driver" env \
    ASAN_OPTIONS="${ASAN_OPTIONS:-}:log_path=$log_dir/asan" \
    UBSAN_OPTIONS="${UBSAN_OPTIONS:-}:log_path=$log_dir/ubsan" \
    "$python" "$driver" "$signup"
  for report in "$reports"/asan.* "$reports"/ubsan.*; do
    [ -f "$report" ] || continue
    cat "$report"
    fail "sanitizer report $report"
  done
  ;;
*)
  echo "usage: $0 plain|valgrind|sanitized REPORT_DIR SIGNUP_PROGRAM TEST..." >&2
  exit 2
  ;;
esac

echo "# $mode run: $(($(date +%s) - started)) s"
if [ -n "$failed" ]; then
  echo "FAILED ($mode):$failed"
  exit 1
fi
