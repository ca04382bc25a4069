#!/bin/sh
# Run the Swift Testing suite once (plain, or under a sanitizer), keep its
# log, print one "swift <pass>: N passed" line, and fail when a test failed,
# a sanitizer reported anything, or no test ran.
#   run-tests.sh PASS LOG_DIR SWIFT_TEST_ARGUMENTS...
pass=$1
dir=$2
shift 2
mkdir -p "$dir"
log="$dir/$pass.log"
"$@" >"$log" 2>&1
status=$?
passed=$(sed -n 's/^.*Test run with \([0-9][0-9]*\) tests\{0,1\} in .* passed after.*/\1/p' "$log" | tail -n 1)
failures=$(grep -c '^✘ Test .* failed' "$log")
reports=$(grep -c 'Sanitizer' "$log")
echo "swift $pass: ${passed:-0} passed, $failures failed, $reports sanitizer reports (log: $log)"
if [ "$status" -ne 0 ] || [ "$reports" -ne 0 ] || [ "${passed:-0}" -eq 0 ]; then
  grep -E '^✘|Sanitizer|error:' "$log" | head -n 40
  echo "swift $pass: FAILED (exit $status)" >&2
  exit 1
fi
