package org.mxreg.raw

import com.sun.jna.Library
import com.sun.jna.Pointer
import com.sun.jna.ptr.ByteByReference
import com.sun.jna.ptr.PointerByReference

/**
 * The C API of `include/mxreg.h`, one method per function, same names and
 * argument order. `HeaderConsistencyTest` parses the header and fails when a
 * function is missing here, has another arity or a type that does not fit.
 *
 * Type mapping: handles are [Pointer]; `T **` out-parameters are
 * [PointerByReference], `bool *` ones [ByteByReference]; request structs
 * are their [com.sun.jna.Structure]
 * mirrors; `const char *` arguments are [Pointer]s to NUL-terminated UTF-8
 * that the caller owns (so that secrets can be wiped after the call);
 * borrowed `const char *` results are copied into [String]s, owned `char *`
 * ones stay [Pointer]s (freed with `mxreg_string_free`); `size_t` is
 * [SizeT]; C `bool` is [Byte] (JNA's boolean is a 4-byte int); `uint32_t`
 * and `mxreg_result` are [Int], `uint16_t` [Short], `int64_t` and `uint64_t`
 * [Long] (unsigned values are reinterpreted by the idiomatic layer).
 *
 * Ownership, NULL handling and threading are as documented in the header.
 * Load it through [LoadedLibrary], which checks the ABI version first.
 */
@Suppress("FunctionName", "LocalVariableName", "FunctionParameterNaming")
public interface MxregLibrary : Library {
    // auth_info: borrowed from an error or a signup session.
    public fun mxreg_auth_info_session(info: Pointer?): String?
    public fun mxreg_auth_info_flow_count(info: Pointer?): SizeT
    public fun mxreg_auth_info_flow_stage_count(info: Pointer?, flow: SizeT): SizeT
    public fun mxreg_auth_info_flow_stage(info: Pointer?, flow: SizeT, stage: SizeT): String?
    public fun mxreg_auth_info_completed_count(info: Pointer?): SizeT
    public fun mxreg_auth_info_completed(info: Pointer?, index: SizeT): String?
    public fun mxreg_auth_info_params_json(info: Pointer?): String?

    // client
    public fun mxreg_client_options_init(options: MxregClientOptions?)
    public fun mxreg_client_options_size(): SizeT
    public fun mxreg_client_new(
        homeserver_url: Pointer?,
        options: MxregClientOptions?,
        client_out: PointerByReference?,
        error_out: PointerByReference?,
    ): Int
    public fun mxreg_client_clone(client: Pointer?): Pointer?
    public fun mxreg_client_homeserver_url(client: Pointer?): String?
    public fun mxreg_client_free(client: Pointer?)

    // error
    public fun mxreg_error_code(error: Pointer?): Int
    public fun mxreg_error_message(error: Pointer?): String?
    public fun mxreg_error_errcode(error: Pointer?): String?
    public fun mxreg_error_http_status(error: Pointer?): Short
    public fun mxreg_error_retry_after_ms(error: Pointer?): Long
    public fun mxreg_error_body_json(error: Pointer?): String?
    public fun mxreg_error_auth_info(error: Pointer?): Pointer?
    public fun mxreg_error_free(error: Pointer?)

    // pre-checks
    public fun mxreg_username_check(username: Pointer?, server_name: Pointer?, error_out: PointerByReference?): Int
    public fun mxreg_client_username_available(
        client: Pointer?,
        username: Pointer?,
        available_out: ByteByReference?,
        error_out: PointerByReference?,
    ): Int
    public fun mxreg_client_registration_token_valid(
        client: Pointer?,
        token: Pointer?,
        valid_out: ByteByReference?,
        error_out: PointerByReference?,
    ): Int

    // server probe
    public fun mxreg_probe_server(
        server: Pointer?,
        options: MxregClientOptions?,
        check_guest_access: Byte,
        probe_out: PointerByReference?,
        error_out: PointerByReference?,
    ): Int
    public fun mxreg_probe_homeserver_url(probe: Pointer?): String?
    public fun mxreg_probe_signup_methods(probe: Pointer?): Int
    public fun mxreg_probe_auth_info(probe: Pointer?): Pointer?
    public fun mxreg_probe_unknown_parts(probe: Pointer?): Int
    public fun mxreg_probe_unknown_count(probe: Pointer?): SizeT
    public fun mxreg_probe_unknown_part(probe: Pointer?, index: SizeT): Int
    public fun mxreg_probe_unknown_result(probe: Pointer?, index: SizeT): Int
    public fun mxreg_probe_unknown_message(probe: Pointer?, index: SizeT): String?
    public fun mxreg_probe_json(probe: Pointer?): String?
    public fun mxreg_probe_free(probe: Pointer?)

    // register (one-shot)
    public fun mxreg_register_request_init(request: MxregRegisterRequest?)
    public fun mxreg_register_request_size(): SizeT
    public fun mxreg_client_register(
        client: Pointer?,
        request: MxregRegisterRequest?,
        registration_out: PointerByReference?,
        error_out: PointerByReference?,
    ): Int

    // registration
    public fun mxreg_registration_user_id(registration: Pointer?): String?
    public fun mxreg_registration_device_id(registration: Pointer?): String?
    public fun mxreg_registration_access_token(registration: Pointer?): String?
    public fun mxreg_registration_refresh_token(registration: Pointer?): String?
    public fun mxreg_registration_expires_in_ms(registration: Pointer?): Long
    public fun mxreg_registration_expires_at_ms(registration: Pointer?): Long
    public fun mxreg_registration_free(registration: Pointer?)

    // signup session
    public fun mxreg_signup_new(
        client: Pointer?,
        request: MxregRegisterRequest?,
        supported_stages: Int,
        signup_out: PointerByReference?,
        error_out: PointerByReference?,
    ): Int
    public fun mxreg_signup_restore(
        client: Pointer?,
        saved: Pointer?,
        signup_out: PointerByReference?,
        error_out: PointerByReference?,
    ): Int
    public fun mxreg_signup_save(signup: Pointer?, saved_out: PointerByReference?, error_out: PointerByReference?): Int
    public fun mxreg_string_free(string: Pointer?)
    public fun mxreg_signup_start(signup: Pointer?, error_out: PointerByReference?): Int
    public fun mxreg_signup_status(signup: Pointer?): Int
    public fun mxreg_signup_next_stage(signup: Pointer?): String?
    public fun mxreg_signup_auth_info(signup: Pointer?): Pointer?
    public fun mxreg_signup_submit_token(signup: Pointer?, token: Pointer?, error_out: PointerByReference?): Int
    public fun mxreg_signup_policy_count(signup: Pointer?): SizeT
    public fun mxreg_signup_policy_id(signup: Pointer?, index: SizeT): String?
    public fun mxreg_signup_policy_version(signup: Pointer?, index: SizeT): String?
    public fun mxreg_signup_policy_name(signup: Pointer?, index: SizeT, language: Pointer?): String?
    public fun mxreg_signup_policy_url(signup: Pointer?, index: SizeT, language: Pointer?): String?
    public fun mxreg_signup_accept_terms(signup: Pointer?, error_out: PointerByReference?): Int
    public fun mxreg_signup_request_email_token(
        signup: Pointer?,
        email: Pointer?,
        next_link: Pointer?,
        error_out: PointerByReference?,
    ): Int
    public fun mxreg_signup_check_email(signup: Pointer?, error_out: PointerByReference?): Int
    public fun mxreg_signup_request_msisdn_token(
        signup: Pointer?,
        country: Pointer?,
        phone_number: Pointer?,
        error_out: PointerByReference?,
    ): Int
    public fun mxreg_signup_submit_msisdn_code(signup: Pointer?, code: Pointer?, error_out: PointerByReference?): Int
    public fun mxreg_signup_submit_recaptcha(signup: Pointer?, response: Pointer?, error_out: PointerByReference?): Int
    public fun mxreg_signup_fallback_url(signup: Pointer?): String?
    public fun mxreg_signup_fallback_done(signup: Pointer?, error_out: PointerByReference?): Int
    public fun mxreg_signup_submit_auth_json(signup: Pointer?, auth_json: Pointer?, error_out: PointerByReference?): Int
    public fun mxreg_signup_registration(signup: Pointer?): Pointer?
    public fun mxreg_signup_free(signup: Pointer?)

    // refresh
    public fun mxreg_client_refresh(
        client: Pointer?,
        refresh_token: Pointer?,
        tokens_out: PointerByReference?,
        error_out: PointerByReference?,
    ): Int
    public fun mxreg_tokens_access_token(tokens: Pointer?): String?
    public fun mxreg_tokens_refresh_token(tokens: Pointer?): String?
    public fun mxreg_tokens_expires_in_ms(tokens: Pointer?): Long
    public fun mxreg_tokens_expires_at_ms(tokens: Pointer?): Long
    public fun mxreg_tokens_free(tokens: Pointer?)

    // OAuth 2.0 sign-up (account creation through the server's web pages)
    public fun mxreg_oauth_server_discover(client: Pointer?, server_out: PointerByReference?, error_out: PointerByReference?): Int
    public fun mxreg_oauth_server_supports_sign_up(server: Pointer?): Byte
    public fun mxreg_oauth_server_issuer(server: Pointer?): String?
    public fun mxreg_oauth_server_authorization_endpoint(server: Pointer?): String?
    public fun mxreg_oauth_server_token_endpoint(server: Pointer?): String?
    public fun mxreg_oauth_server_registration_endpoint(server: Pointer?): String?
    public fun mxreg_oauth_server_revocation_endpoint(server: Pointer?): String?
    public fun mxreg_oauth_server_account_management_uri(server: Pointer?): String?
    public fun mxreg_oauth_server_metadata_json(server: Pointer?): String?
    public fun mxreg_oauth_server_free(server: Pointer?)
    public fun mxreg_oauth_client_metadata_init(metadata: MxregOauthClientMetadata?)
    public fun mxreg_oauth_client_metadata_size(): SizeT
    public fun mxreg_oauth_server_register_client(
        server: Pointer?,
        metadata: MxregOauthClientMetadata?,
        registered_out: PointerByReference?,
        error_out: PointerByReference?,
    ): Int
    public fun mxreg_oauth_registered_client_client_id(registered: Pointer?): String?
    public fun mxreg_oauth_registered_client_metadata_json(registered: Pointer?): String?
    public fun mxreg_oauth_registered_client_free(registered: Pointer?)
    public fun mxreg_oauth_authorization_request_init(request: MxregOauthAuthorizationRequest?)
    public fun mxreg_oauth_authorization_request_size(): SizeT
    public fun mxreg_oauth_authorization_start(
        server: Pointer?,
        request: MxregOauthAuthorizationRequest?,
        authorization_out: PointerByReference?,
        error_out: PointerByReference?,
    ): Int
    public fun mxreg_oauth_authorization_save(
        authorization: Pointer?,
        saved_out: PointerByReference?,
        error_out: PointerByReference?,
    ): Int
    public fun mxreg_oauth_authorization_restore(
        server: Pointer?,
        saved: Pointer?,
        authorization_out: PointerByReference?,
        error_out: PointerByReference?,
    ): Int
    public fun mxreg_oauth_authorization_url(authorization: Pointer?): String?
    public fun mxreg_oauth_authorization_device_id(authorization: Pointer?): String?
    public fun mxreg_oauth_authorization_state(authorization: Pointer?): String?
    public fun mxreg_oauth_authorization_intent(authorization: Pointer?): Int
    public fun mxreg_oauth_authorization_complete(
        authorization: Pointer?,
        redirect_url: Pointer?,
        registration_out: PointerByReference?,
        error_out: PointerByReference?,
    ): Int
    public fun mxreg_oauth_authorization_free(authorization: Pointer?)
    public fun mxreg_oauth_server_refresh_token(
        server: Pointer?,
        client_id: Pointer?,
        refresh_token: Pointer?,
        tokens_out: PointerByReference?,
        error_out: PointerByReference?,
    ): Int
    public fun mxreg_oauth_server_revoke_token(
        server: Pointer?,
        client_id: Pointer?,
        token: Pointer?,
        error_out: PointerByReference?,
    ): Int

    // version and result codes
    public fun mxreg_version(): String?
    public fun mxreg_abi_version(): Int
    public fun mxreg_result_describe(code: Int): String?
    public fun mxreg_result_name(code: Int): String?
}
