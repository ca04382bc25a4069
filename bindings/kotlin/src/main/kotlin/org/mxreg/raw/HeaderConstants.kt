package org.mxreg.raw

/*
 * The header's `#define`s and enums, same names and values
 * (HeaderConsistencyTest compares them with include/mxreg.h).
 */

/** `MXREG_VERSION` of the header this binding mirrors (the library's is `mxreg_version()`). */
public const val MXREG_VERSION: String = "0.1.0"
public const val MXREG_VERSION_MAJOR: Int = 0
public const val MXREG_VERSION_MINOR: Int = 1
public const val MXREG_VERSION_PATCH: Int = 0

/** The ABI contract version; the loaded library must report the same. */
public const val MXREG_ABI_VERSION: Int = 1

/** Every `mxreg_stage` flag. */
public const val MXREG_STAGES_ALL: Int = 127

/** `mxreg_result` (`MXREG_RESULT_<NAME>`); values are never renumbered. */
public object MxregResult {
    public const val OK: Int = 0
    public const val NULL_ARGUMENT: Int = 1
    public const val INVALID_UTF8: Int = 2
    public const val INVALID_ARGUMENT: Int = 3
    public const val STRUCT_SIZE: Int = 4
    public const val PANIC: Int = 5
    public const val INSECURE_URL: Int = 6
    public const val INVALID_STATE: Int = 7
    public const val UNSUPPORTED_FLOW: Int = 8
    public const val OAUTH_STATE_MISMATCH: Int = 9
    public const val DNS: Int = 100
    public const val CONNECT: Int = 101
    public const val TLS: Int = 102
    public const val TIMEOUT: Int = 103
    public const val OUTCOME_UNKNOWN: Int = 104
    public const val BODY_TOO_LARGE: Int = 105
    public const val INVALID_RESPONSE: Int = 106
    public const val REDIRECT: Int = 107
    public const val IO: Int = 108
    public const val MATRIX_ERROR: Int = 200
    public const val AUTH_REQUIRED: Int = 201
    public const val RATE_LIMITED: Int = 202
    public const val USER_IN_USE: Int = 203
    public const val INVALID_USERNAME: Int = 204
    public const val WEAK_PASSWORD: Int = 205
    public const val FORBIDDEN: Int = 206
    public const val UNKNOWN_TOKEN: Int = 207
    public const val HTTP_ERROR: Int = 208
    public const val STAGE_REJECTED: Int = 209
    public const val SESSION_EXPIRED: Int = 210
    public const val OAUTH_UNSUPPORTED: Int = 211
    public const val OAUTH_ACCESS_DENIED: Int = 212
    public const val OAUTH_INVALID_GRANT: Int = 213
    public const val OAUTH_ERROR: Int = 214
}

/** `mxreg_signup_state`. */
public object MxregSignupState {
    public const val NOT_STARTED: Int = 0
    public const val NEEDS_STAGE: Int = 1
    public const val COMPLETE: Int = 2
    public const val FAILED: Int = 3
    public const val BUSY: Int = 4
}

/** `mxreg_account_kind`. */
public object MxregAccountKind {
    public const val USER: Int = 0
    public const val GUEST: Int = 1
}

/** `mxreg_stage` flags. */
public object MxregStage {
    public const val DUMMY: Int = 1
    public const val REGISTRATION_TOKEN: Int = 1 shl 1
    public const val TERMS: Int = 1 shl 2
    public const val EMAIL: Int = 1 shl 3
    public const val MSISDN: Int = 1 shl 4
    public const val RECAPTCHA: Int = 1 shl 5
    public const val FALLBACK: Int = 1 shl 6
}

/** `mxreg_signup_method` flags. */
public object MxregSignupMethod {
    public const val LEGACY: Int = 1
    public const val OAUTH_CREATE: Int = 1 shl 1
    public const val OAUTH: Int = 1 shl 2
    public const val SSO: Int = 1 shl 3
    public const val GUEST: Int = 1 shl 4
}

/** `mxreg_probe_part`. */
public object MxregProbePart {
    public const val LOGIN: Int = 1
    public const val OAUTH: Int = 1 shl 1
    public const val REGISTRATION: Int = 1 shl 2
    public const val GUEST: Int = 1 shl 3
}

/** `mxreg_oauth_intent`. */
public object MxregOauthIntent {
    public const val SIGN_UP: Int = 0
    public const val LOGIN: Int = 1
}

/** `mxreg_oauth_application_type`. */
public object MxregOauthApplicationType {
    public const val NATIVE: Int = 0
    public const val WEB: Int = 1
}

/** `mxreg_oauth_response_mode`. */
public object MxregOauthResponseMode {
    public const val QUERY: Int = 0
    public const val FRAGMENT: Int = 1
}
