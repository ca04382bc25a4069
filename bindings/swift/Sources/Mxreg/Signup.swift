import CMxreg
import Foundation

/// A registration in progress, one call per stage (from `Client.signup` or
/// `Client.restoreSignup`):
///
/// ```swift
/// let signup = try client.signup(RegisterRequest(username: "alice", password: password),
///                                stages: [.registrationToken, .terms])
/// try await signup.start()
/// while signup.status == .needsStage {
///     switch signup.nextStage {
///     case AuthStage.registrationToken: try await signup.submitToken(askForToken())
///     case AuthStage.terms: show(signup.policies()); try await signup.acceptTerms()
///     default: ...
///     }
/// }
/// store(try signup.requireRegistration())
/// ```
///
/// `m.login.dummy` stages are completed by the library; each step blocks for
/// one request. `@unchecked Sendable`: the native session is not for
/// concurrent steps, so steps from several tasks are queued one at a time
/// (`stepLock`); reads (`status` says `.busy` during a step) are safe at any
/// time, and the handle itself is guarded by `NativeHandle`. Close it when
/// done: that wipes the password and secrets the native session holds.
public final class Signup: @unchecked Sendable, CustomStringConvertible {
    private let handle: NativeHandle
    private let stepLock = NSLock()

    init(_ pointer: OpaquePointer) {
        handle = NativeHandle("signup", pointer, free: { mxreg_signup_free($0) })
    }

    public var status: SignupState {
        get throws { try handle.withPointer { SignupState(rawValue: mxreg_signup_status($0)) ?? .failed } }
    }

    /// The stage the server wants next (e.g. `AuthStage.terms`), or nil.
    public var nextStage: String? {
        get throws { try handle.withPointer { copied(mxreg_signup_next_stage($0)) } }
    }

    /// The server's last UIA answer (flows, params, completed stages, session), or nil before it.
    public var authInfo: AuthInfo? {
        get throws { try handle.withPointer { mxreg_signup_auth_info($0).map(AuthInfo.init(native:)) } }
    }

    /// The server's web page for the next stage (open it, then `fallbackDone()`), or nil.
    public var fallbackURL: String? {
        get throws { try handle.withPointer { copied(mxreg_signup_fallback_url($0)) } }
    }

    /// The new account once `status` is `.complete`, else nil.
    public var registration: Registration? {
        get throws { try handle.withPointer { try mxreg_signup_registration($0).map(Registration.init(native:)) } }
    }

    /// The new account; `.invalidState` when the session is not complete.
    public func requireRegistration() throws -> Registration {
        guard let registration = try registration else {
            throw MxregError(local: .invalidState, "the signup session is \(try status), not complete")
        }
        return registration
    }

    /// The policies of the `m.login.terms` stage: show them before `acceptTerms()`.
    public func policies(language: String? = nil) throws -> [Policy] {
        let strings = CStrings()
        let lang = try strings.put("language", language)
        return try handle.withPointer { signup in
            (0..<mxreg_signup_policy_count(signup)).map { index in
                Policy(
                    id: copied(mxreg_signup_policy_id(signup, index)) ?? "",
                    version: copied(mxreg_signup_policy_version(signup, index)) ?? "",
                    name: copied(mxreg_signup_policy_name(signup, index, lang)) ?? "",
                    url: copied(mxreg_signup_policy_url(signup, index, lang)) ?? "")
            }
        }
    }

    /// The session as JSON for `Client.restoreSignup`. It holds the password
    /// and validation secrets: store it as you would the password.
    public func save() throws -> String {
        try stepLock.withLock {
            try handle.withPointer { signup in try checkString("saved session") { mxreg_signup_save(signup, $0, $1) } }
        }
    }

    /// Send the first request; then `status` is `.needsStage` or `.complete`.
    /// `.unsupportedFlow` (naming the stages) when no offered flow fits.
    public func start() throws { try step { signup, _, error in mxreg_signup_start(signup, error) } }

    /// Complete `m.login.registration_token`; a wrong token is `.stageRejected` (the session stays usable).
    public func submitToken(_ token: String) throws {
        try step { signup, strings, error in mxreg_signup_submit_token(signup, try strings.put("token", token), error) }
    }

    /// Complete `m.login.terms`: the user accepted every policy `policies()` lists.
    public func acceptTerms() throws { try step { signup, _, error in mxreg_signup_accept_terms(signup, error) } }

    /// Have the server mail a validation link to `email` (again: resend); then `checkEmail()`.
    public func requestEmailToken(_ email: String, nextLink: String? = nil) throws {
        try step { signup, strings, error in
            mxreg_signup_request_email_token(signup, try strings.put("email", email), try strings.put("nextLink", nextLink), error)
        }
    }

    /// Complete `m.login.email.identity` if the link was followed: true when
    /// done, false when not yet. `.invalidState` when the server gave an
    /// `emailSubmitURL` (there is no link: use `submitEmailCode`).
    public func checkEmail() throws -> Bool {
        do {
            try step { signup, _, error in mxreg_signup_check_email(signup, error) }
            return true
        } catch let error as MxregError where error.code == .stageRejected {
            return false
        }
    }

    /// Where the server wants the code it mailed (its `submit_url`), or nil
    /// when the mail holds a link instead (`checkEmail()`). When set, ask the
    /// user for the code and call `submitEmailCode`.
    public var emailSubmitURL: String? {
        get throws { try handle.withPointer { copied(mxreg_signup_email_submit_url($0)) } }
    }

    /// Complete `m.login.email.identity` with the mailed code (sent to
    /// `emailSubmitURL`); a wrong code is `.stageRejected` (the session goes on).
    public func submitEmailCode(_ code: String) throws {
        try step { signup, strings, error in mxreg_signup_submit_email_code(signup, try strings.put("code", code), error) }
    }

    /// After a step gave `.outcomeUnknown`: end with the account on the
    /// session's device, whatever became of the lost attempt (or go on with
    /// the stages when it had not finished). `.invalidState` when no attempt was lost.
    public func recover() throws { try step { signup, _, error in mxreg_signup_recover(signup, error) } }

    /// Have the server text a code to `phoneNumber` (`country`: ISO 3166-1 alpha-2, e.g. `GB`).
    public func requestMsisdnToken(country: String, phoneNumber: String) throws {
        try step { signup, strings, error in
            mxreg_signup_request_msisdn_token(signup, try strings.put("country", country), try strings.put("phoneNumber", phoneNumber), error)
        }
    }

    /// Complete `m.login.msisdn` with the code from the SMS.
    public func submitMsisdnCode(_ code: String) throws {
        try step { signup, strings, error in mxreg_signup_submit_msisdn_code(signup, try strings.put("code", code), error) }
    }

    /// Complete `m.login.recaptcha` with the widget's response (its public key is in `authInfo`'s params).
    public func submitRecaptcha(_ response: String) throws {
        try step { signup, strings, error in mxreg_signup_submit_recaptcha(signup, try strings.put("response", response), error) }
    }

    /// The user finished `fallbackURL` in a browser: ask the server to go on.
    public func fallbackDone() throws { try step { signup, _, error in mxreg_signup_fallback_done(signup, error) } }

    /// Complete any stage with an `auth` object the app built (the session ID is added).
    public func submitAuth(_ auth: Auth) throws {
        try step { signup, strings, error in mxreg_signup_submit_auth_json(signup, try strings.put("auth", auth.json), error) }
    }

    public var isClosed: Bool { handle.isClosed }

    /// Free the session, wiping its secrets (after a step in progress returns). Safe to call twice.
    public func close() { handle.close() }

    public var description: String {
        guard let status = try? status else { return "Signup(closed)" }
        return "Signup(\(status), nextStage: \((try? nextStage).flatMap { $0 } ?? "nil"))"
    }

    private func step(_ call: (OpaquePointer, CStrings, UnsafeMutablePointer<OpaquePointer?>) throws -> UInt32) throws {
        let strings = CStrings()
        try stepLock.withLock {
            try handle.withPointer { signup in try check { try call(signup, strings, $0) } }
        }
    }
}
