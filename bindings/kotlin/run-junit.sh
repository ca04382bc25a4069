#!/bin/sh
# Run the JUnit console launcher (the arguments after OUT_DIR), keep its log,
# print one "N passed, N failed" line, and fail when it failed or ran nothing.
#   run-junit.sh OUT_DIR JAVA_COMMAND...
out=$1
shift
mkdir -p "$out"
log="$out/junit.log"
status_file="$out/junit.status"
{ "$@" 2>&1; echo $? >"$status_file"; } | tee "$log"
status=$(cat "$status_file")
count() { sed -n "s/^\[ *\([0-9][0-9]*\) tests $1 .*/\1/p" "$log" | head -n 1; }
passed=$(count successful)
failed=$(count failed)
echo "kotlin: ${passed:-0} passed, ${failed:-0} failed"
if [ "$status" -ne 0 ]; then
  echo "kotlin: the JUnit launcher exited with $status" >&2
  exit "$status"
fi
if [ "${passed:-0}" -eq 0 ]; then
  echo "kotlin: no test ran" >&2
  exit 1
fi
