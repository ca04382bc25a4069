import CMxreg

/// What a native call did (`mxreg_result`). Any value works, including codes
/// added to the library after this binding was written: `name` and
/// `summary` come from the library itself.
public struct ResultCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt32

    public init(rawValue: UInt32) {
        self.rawValue = rawValue
    }

    init<CEnum: RawRepresentable>(_ constant: CEnum) where CEnum.RawValue == UInt32 {
        rawValue = constant.rawValue
    }

    /// The constant's name, e.g. `MXREG_RESULT_USER_IN_USE` (`MXREG_RESULT_UNKNOWN` for a value the library does not know).
    public var name: String { String(cString: mxreg_result_name(rawValue)) }

    /// The library's static description of the code.
    public var summary: String { String(cString: mxreg_result_describe(rawValue)) }

    /// The call never reached the network (1..99).
    public var isLocal: Bool { (1..<100).contains(rawValue) }
    /// The connection failed or the answer was unusable (100..199).
    public var isTransport: Bool { (100..<200).contains(rawValue) }
    /// The server answered with an error (200..299).
    public var isServer: Bool { (200..<300).contains(rawValue) }

    public var description: String { "\(name) (\(rawValue))" }

    public static let ok = ResultCode(MXREG_RESULT_OK)
    public static let nullArgument = ResultCode(MXREG_RESULT_NULL_ARGUMENT)
    public static let invalidUtf8 = ResultCode(MXREG_RESULT_INVALID_UTF8)
    public static let invalidArgument = ResultCode(MXREG_RESULT_INVALID_ARGUMENT)
    public static let structSize = ResultCode(MXREG_RESULT_STRUCT_SIZE)
    public static let panic = ResultCode(MXREG_RESULT_PANIC)
    public static let insecureUrl = ResultCode(MXREG_RESULT_INSECURE_URL)
    public static let invalidState = ResultCode(MXREG_RESULT_INVALID_STATE)
    public static let unsupportedFlow = ResultCode(MXREG_RESULT_UNSUPPORTED_FLOW)
    public static let oauthStateMismatch = ResultCode(MXREG_RESULT_OAUTH_STATE_MISMATCH)
    public static let dns = ResultCode(MXREG_RESULT_DNS)
    public static let connect = ResultCode(MXREG_RESULT_CONNECT)
    public static let tls = ResultCode(MXREG_RESULT_TLS)
    public static let timeout = ResultCode(MXREG_RESULT_TIMEOUT)
    public static let outcomeUnknown = ResultCode(MXREG_RESULT_OUTCOME_UNKNOWN)
    public static let bodyTooLarge = ResultCode(MXREG_RESULT_BODY_TOO_LARGE)
    public static let invalidResponse = ResultCode(MXREG_RESULT_INVALID_RESPONSE)
    public static let redirect = ResultCode(MXREG_RESULT_REDIRECT)
    public static let io = ResultCode(MXREG_RESULT_IO)
    public static let matrixError = ResultCode(MXREG_RESULT_MATRIX_ERROR)
    public static let authRequired = ResultCode(MXREG_RESULT_AUTH_REQUIRED)
    public static let rateLimited = ResultCode(MXREG_RESULT_RATE_LIMITED)
    public static let userInUse = ResultCode(MXREG_RESULT_USER_IN_USE)
    public static let invalidUsername = ResultCode(MXREG_RESULT_INVALID_USERNAME)
    public static let weakPassword = ResultCode(MXREG_RESULT_WEAK_PASSWORD)
    public static let forbidden = ResultCode(MXREG_RESULT_FORBIDDEN)
    public static let unknownToken = ResultCode(MXREG_RESULT_UNKNOWN_TOKEN)
    public static let httpError = ResultCode(MXREG_RESULT_HTTP_ERROR)
    public static let stageRejected = ResultCode(MXREG_RESULT_STAGE_REJECTED)
    public static let sessionExpired = ResultCode(MXREG_RESULT_SESSION_EXPIRED)
    public static let oauthUnsupported = ResultCode(MXREG_RESULT_OAUTH_UNSUPPORTED)
    public static let oauthAccessDenied = ResultCode(MXREG_RESULT_OAUTH_ACCESS_DENIED)
    public static let oauthInvalidGrant = ResultCode(MXREG_RESULT_OAUTH_INVALID_GRANT)
    public static let oauthError = ResultCode(MXREG_RESULT_OAUTH_ERROR)
    /// `adminContact` on the error says whom to ask.
    public static let resourceLimitExceeded = ResultCode(MXREG_RESULT_RESOURCE_LIMIT_EXCEEDED)
    /// `infoURI` and `canUpgrade` on the error say more.
    public static let userLimitExceeded = ResultCode(MXREG_RESULT_USER_LIMIT_EXCEEDED)
    public static let tokenIncorrect = ResultCode(MXREG_RESULT_TOKEN_INCORRECT)
    public static let threepidInUse = ResultCode(MXREG_RESULT_THREEPID_IN_USE)
    public static let threepidDenied = ResultCode(MXREG_RESULT_THREEPID_DENIED)
    public static let guestAccessForbidden = ResultCode(MXREG_RESULT_GUEST_ACCESS_FORBIDDEN)
    public static let exclusive = ResultCode(MXREG_RESULT_EXCLUSIVE)
    /// `consentURI` on the error is the page to show.
    public static let consentNotGiven = ResultCode(MXREG_RESULT_CONSENT_NOT_GIVEN)
    public static let appserviceLoginUnsupported = ResultCode(MXREG_RESULT_APPSERVICE_LOGIN_UNSUPPORTED)
    public static let discoveryFailPrompt = ResultCode(MXREG_RESULT_DISCOVERY_FAIL_PROMPT)
    public static let discoveryFailError = ResultCode(MXREG_RESULT_DISCOVERY_FAIL_ERROR)
    /// The user has not decided on the device authorization yet: poll again after the interval.
    public static let oauthAuthorizationPending = ResultCode(MXREG_RESULT_OAUTH_AUTHORIZATION_PENDING)
    /// The device code expired before the user approved it: start anew.
    public static let oauthExpiredToken = ResultCode(MXREG_RESULT_OAUTH_EXPIRED_TOKEN)
    public static let oauthPreferred = ResultCode(MXREG_RESULT_OAUTH_PREFERRED)
}
