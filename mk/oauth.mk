# OAuth 2.0 sign-up (prompt=create), the device grant and application
# services on the OAuth-delegated Synapse: the rig's
# `oauth` variant (Synapse on 18108 delegating to the OAuth server from
# scripts/oauth on 18109; the rig runs `npm ci` there when needed). The Rust
# integration test plays the browser with ureq, the C test through
# tests/oauth/browser.py. `open` is started too: the tests check that a
# legacy homeserver reports no OAuth.

OAUTH_C_TEST := $(DEBUG_DIR)/c-tests/test_oauth
# Not in SUITES: rust-suite (cargo test) and c-suite (tests/c/test_*.c) already run both.

.PHONY: test-oauth oauth-suite

test-oauth: prerequisites-oauth build
	$(RIG) run --variants oauth,open -- $(MAKE) --no-print-directory oauth-suite

oauth-suite: build $(OAUTH_C_TEST)
	$(CARGO) test --test oauth --test oauth_device --test oauth_appservice
	@echo "== $(OAUTH_C_TEST)"; $(OAUTH_C_TEST)
