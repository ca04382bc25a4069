/*
 * The installed header compiles cleanly as C99 and as C++17 (this file is
 * built both ways with -Wall -Wextra -Wpedantic -Werror), can be included
 * twice, and matches the library it is linked with: exits 0 only when the
 * library's version and ABI equal the header's.
 */
#include <mxreg.h>
#include <mxreg.h>

#include <stdio.h>
#include <string.h>

int main(void) {
  const mxreg_client *client = NULL;
  mxreg_register_request request;
  mxreg_register_request_init(&request);
  if (strcmp(mxreg_version(), MXREG_VERSION) != 0 || mxreg_abi_version() != MXREG_ABI_VERSION) {
    fprintf(stderr, "header %s (ABI %d), library %s (ABI %u)\n", MXREG_VERSION, MXREG_ABI_VERSION,
            mxreg_version(), (unsigned)mxreg_abi_version());
    return 1;
  }
  if (request.struct_size != mxreg_register_request_size() ||
      sizeof(mxreg_client_options) != mxreg_client_options_size()) {
    fprintf(stderr, "request struct sizes differ between header and library\n");
    return 1;
  }
  /* A NULL URL is refused with a code, not a crash, and writes no client. */
  if (mxreg_client_new(NULL, NULL, &client, NULL) != MXREG_RESULT_NULL_ARGUMENT || client != NULL) {
    fprintf(stderr, "mxreg_client_new(NULL) did not give MXREG_RESULT_NULL_ARGUMENT\n");
    return 1;
  }
  return 0;
}
