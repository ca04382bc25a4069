import CMxreg

/// Stage kinds an app can complete in a `Signup` (`mxreg_stage` flags).
public struct Stages: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// Always handled by the library; listing it changes nothing.
    public static let dummy = Stages(rawValue: MXREG_STAGE_DUMMY.rawValue)
    public static let registrationToken = Stages(rawValue: MXREG_STAGE_REGISTRATION_TOKEN.rawValue)
    public static let terms = Stages(rawValue: MXREG_STAGE_TERMS.rawValue)
    public static let email = Stages(rawValue: MXREG_STAGE_EMAIL.rawValue)
    public static let msisdn = Stages(rawValue: MXREG_STAGE_MSISDN.rawValue)
    public static let recaptcha = Stages(rawValue: MXREG_STAGE_RECAPTCHA.rawValue)
    /// The app can open the server's fallback web page for any stage.
    public static let fallback = Stages(rawValue: MXREG_STAGE_FALLBACK.rawValue)
    /// Every stage kind this library knows.
    public static let all = Stages(rawValue: UInt32(MXREG_STAGES_ALL))
}

/// Where a `Signup` is (`mxreg_signup_state`).
public enum SignupState: UInt32, Sendable, CaseIterable {
    /// Created or restored: call `start()` (or the step the saved state needs).
    case notStarted = 0
    /// The server wants a stage: see `nextStage`.
    case needsStage = 1
    /// The account exists: see `registration`.
    case complete = 2
    /// The server refused for good: start a new session.
    case failed = 3
    /// A step is running on another thread: ask again when it has returned.
    case busy = 4
}

/// One policy of an `m.login.terms` stage, in the language asked for (else English, else the first).
public struct Policy: Sendable, Equatable {
    public let id: String
    public let version: String
    public let name: String
    public let url: String
}
