#!/bin/sh
# mxreg-register keeps examples/register.c's contract: it registers a new
# account on $MXREG_HS_OPEN and prints JSON without any token, and a second
# try with the same name fails with exit 1 naming MXREG_RESULT_USER_IN_USE
# and M_USER_IN_USE.
#   check-register.sh PATH_TO_MXREG_REGISTER
set -u
bin=$1
: "${MXREG_HS_OPEN:?MXREG_HS_OPEN is not set (make test-swift sets it)}"
user="swexample$(date +%s)x$$"
password="example-Passw0rd-$$"
fail() {
  echo "mxreg-register: $*" >&2
  exit 1
}
out=$("$bin" "$MXREG_HS_OPEN" "$user" "$password") || fail "the first registration failed"
case $out in
  "{\"user_id\":\"@$user:localhost\","*"\"refresh_token\":true}") ;;
  *) fail "unexpected output: $out" ;;
esac
case $out in
  *syt_* | *access_token* | *"$password"*) fail "the output holds a secret: $out" ;;
esac
err=$("$bin" "$MXREG_HS_OPEN" "$user" "$password" 2>&1 >/dev/null)
status=$?
[ "$status" -eq 1 ] || fail "a second try exited $status, not 1"
case $err in
  *MXREG_RESULT_USER_IN_USE*M_USER_IN_USE*) ;;
  *) fail "a second try did not say M_USER_IN_USE: $err" ;;
esac
echo "mxreg-register: registered @$user:localhost, then $err"
