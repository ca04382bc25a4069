/// Stage types of user-interactive auth that registration servers ask for.
public enum AuthStage {
    public static let dummy = "m.login.dummy"
    public static let registrationToken = "m.login.registration_token"
    public static let terms = "m.login.terms"
    public static let emailIdentity = "m.login.email.identity"
    public static let msisdn = "m.login.msisdn"
    public static let recaptcha = "m.login.recaptcha"
}

/// The `auth` object that completes one UIA stage, sent with the next
/// `Client.register` attempt. Its description shows only the stage type:
/// tokens and client secrets are secrets.
public struct Auth: Sendable, CustomStringConvertible, CustomReflectable {
    public let type: String
    let json: String

    /// `m.login.dummy`: the stage that only completes a flow.
    public static func dummy(session: String?) -> Auth { stage(AuthStage.dummy, session) }

    /// `m.login.registration_token` with the token the user was given.
    public static func registrationToken(_ token: String, session: String?) -> Auth {
        stage(AuthStage.registrationToken, session, ("token", token))
    }

    /// `m.login.terms`: the user accepted the policies in the stage's params.
    public static func terms(session: String?) -> Auth { stage(AuthStage.terms, session) }

    /// `m.login.email.identity` after the user followed the validation link.
    public static func emailIdentity(sid: String, clientSecret: String, session: String?) -> Auth {
        let creds = Json.object([("sid", sid), ("client_secret", clientSecret)])
        return stage(AuthStage.emailIdentity, session, ("threepid_creds", Json.Raw(text: creds)))
    }

    /// Any other stage, as JSON object text; the library validates it.
    public static func fromJSON(type: String, _ json: String) -> Auth { Auth(type: type, json: json) }

    private static func stage(_ type: String, _ session: String?, _ fields: (String, Any?)...) -> Auth {
        Auth(type: type, json: Json.object([("type", type)] + fields + [("session", session)]))
    }

    public var description: String { "Auth(type: \(type))" }
    public var customMirror: Mirror { Mirror(self, children: ["type": type]) }
}
