import CMxreg
import Foundation

/// A failed mxreg call: the result code and what the server said. Copied out
/// of the native error (which `check` frees), so it is a plain value. Never
/// holds a password or token.
public struct MxregError: Error, Sendable, CustomStringConvertible {
    public let code: ResultCode
    public let message: String
    /// The Matrix `errcode` (e.g. `M_USER_IN_USE`) or OAuth `error`, when the server gave one.
    public let errcode: String?
    /// The HTTP status of the server's answer; nil when there was no answer.
    public let httpStatus: Int?
    /// How long the server asked to wait before retrying, in ms; nil when it gave no delay.
    public let retryAfterMs: Int64?
    /// The server's JSON error body, unknown fields included.
    public let bodyJSON: String?
    /// For `.authRequired`: the flows, completed stages, params and session.
    public let authInfo: AuthInfo?
    /// For `.resourceLimitExceeded`: whom to ask (e.g. `mailto:admin@example.org`), when the server said.
    public let adminContact: String?
    /// For `.userLimitExceeded`: a page about the limit and plans, when the server gave one.
    public let infoURI: String?
    /// For `.userLimitExceeded`: whether a plan upgrade lifts the limit (false when the server said nothing).
    public let canUpgrade: Bool
    /// For `.consentNotGiven`: the page where the user reads and accepts the policy.
    public let consentURI: String?
    /// For `.outcomeUnknown` after a registration: the device the lost attempt
    /// named, for `Client.recoverRegistration` (`request.with(deviceId:)`).
    public let deviceId: String?

    /// An error raised by the binding itself, before or instead of a native call.
    init(local code: ResultCode, _ message: String) {
        self.code = code
        self.message = message
        errcode = nil
        httpStatus = nil
        retryAfterMs = nil
        bodyJSON = nil
        authInfo = nil
        adminContact = nil
        infoURI = nil
        canUpgrade = false
        consentURI = nil
        deviceId = nil
    }

    /// Copy a native error (borrowed: the caller frees it).
    init(code: ResultCode, native error: OpaquePointer?) {
        self.code = code
        message = error.flatMap { mxreg_error_message($0) }.map { String(cString: $0) } ?? code.summary
        errcode = error.flatMap { mxreg_error_errcode($0) }.map { String(cString: $0) }
        let status = error.map { Int(mxreg_error_http_status($0)) } ?? 0
        httpStatus = status == 0 ? nil : status
        let retry = error.map { mxreg_error_retry_after_ms($0) } ?? -1
        retryAfterMs = retry < 0 ? nil : retry
        bodyJSON = error.flatMap { mxreg_error_body_json($0) }.map { String(cString: $0) }
        authInfo = error.flatMap { mxreg_error_auth_info($0) }.map(AuthInfo.init(native:))
        adminContact = error.flatMap { copied(mxreg_error_admin_contact($0)) }
        infoURI = error.flatMap { copied(mxreg_error_info_uri($0)) }
        canUpgrade = error.map { mxreg_error_can_upgrade($0) } ?? false
        consentURI = error.flatMap { copied(mxreg_error_consent_uri($0)) }
        deviceId = error.flatMap { copied(mxreg_error_device_id($0)) }
    }

    public var description: String {
        var text = "\(code.name)"
        if let errcode { text += " \(errcode)" }
        if let httpStatus { text += " (HTTP \(httpStatus))" }
        return text + ": \(message)"
    }
}

/// Misuse of the binding itself, not an answer from the library.
public enum MxregUsageError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The object was closed; the message names it.
    case closed(String)
    /// A value the library should have given was missing (a bug in mxreg).
    case missing(String)

    public var description: String {
        switch self {
        case .closed(let what): "the \(what) is closed"
        case .missing(let what): "libmxreg returned no \(what)"
        }
    }
}

// `localizedDescription` (what UI code shows) is the same text as `description`.
extension MxregError: LocalizedError {
    public var errorDescription: String? { description }
}

extension MxregUsageError: LocalizedError {
    public var errorDescription: String? { description }
}

extension LibraryMismatch: LocalizedError {
    public var errorDescription: String? { description }
}
