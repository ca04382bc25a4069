package org.mxreg.raw

import com.sun.jna.Pointer
import com.sun.jna.Structure

/*
 * Request structs, field for field as in the header (names included, so that
 * HeaderConsistencyTest can compare them). Fill one with its `_init`
 * function, then set fields. `LoadedLibrary` compares each one's size with
 * the library's `mxreg_<struct>_size()` at load. `bool` fields are [Byte]s.
 */

/** `mxreg_client_options`. */
@Structure.FieldOrder(
    "struct_size",
    "user_agent",
    "max_response_bytes",
    "connect_timeout_ms",
    "request_timeout_ms",
    "allow_insecure_http",
    "rate_limit_max_wait_ms",
    "ca_pem",
    "call_timeout_ms",
)
public class MxregClientOptions : Structure() {
    @JvmField public var struct_size: SizeT = SizeT()
    @JvmField public var user_agent: Pointer? = null
    @JvmField public var max_response_bytes: Long = 0
    @JvmField public var connect_timeout_ms: Int = 0
    @JvmField public var request_timeout_ms: Int = 0
    @JvmField public var allow_insecure_http: Byte = 0
    @JvmField public var rate_limit_max_wait_ms: Int = 0
    @JvmField public var ca_pem: Pointer? = null
    @JvmField public var call_timeout_ms: Int = 0
}

/** `mxreg_register_request`. */
@Structure.FieldOrder(
    "struct_size",
    "username",
    "password",
    "device_id",
    "initial_device_display_name",
    "guest_access_token",
    "appservice_token",
    "auth_json",
    "kind",
    "inhibit_login",
    "refresh_token",
)
public class MxregRegisterRequest : Structure() {
    @JvmField public var struct_size: SizeT = SizeT()
    @JvmField public var username: Pointer? = null
    @JvmField public var password: Pointer? = null
    @JvmField public var device_id: Pointer? = null
    @JvmField public var initial_device_display_name: Pointer? = null
    @JvmField public var guest_access_token: Pointer? = null
    @JvmField public var appservice_token: Pointer? = null
    @JvmField public var auth_json: Pointer? = null
    @JvmField public var kind: Int = 0
    @JvmField public var inhibit_login: Byte = 0
    @JvmField public var refresh_token: Byte = 0
}

/** `mxreg_oauth_client_metadata`; `redirect_uris` points to an array of `redirect_uri_count` strings. */
@Structure.FieldOrder(
    "struct_size",
    "client_name",
    "client_uri",
    "redirect_uris",
    "redirect_uri_count",
    "application_type",
    "logo_uri",
    "policy_uri",
    "tos_uri",
)
public class MxregOauthClientMetadata : Structure() {
    @JvmField public var struct_size: SizeT = SizeT()
    @JvmField public var client_name: Pointer? = null
    @JvmField public var client_uri: Pointer? = null
    @JvmField public var redirect_uris: Pointer? = null
    @JvmField public var redirect_uri_count: SizeT = SizeT()
    @JvmField public var application_type: Int = 0
    @JvmField public var logo_uri: Pointer? = null
    @JvmField public var policy_uri: Pointer? = null
    @JvmField public var tos_uri: Pointer? = null
}

/** `mxreg_oauth_authorization_request`. */
@Structure.FieldOrder("struct_size", "client_id", "redirect_uri", "device_id", "login_hint", "intent", "response_mode")
public class MxregOauthAuthorizationRequest : Structure() {
    @JvmField public var struct_size: SizeT = SizeT()
    @JvmField public var client_id: Pointer? = null
    @JvmField public var redirect_uri: Pointer? = null
    @JvmField public var device_id: Pointer? = null
    @JvmField public var login_hint: Pointer? = null
    @JvmField public var intent: Int = 0
    @JvmField public var response_mode: Int = 0
}
