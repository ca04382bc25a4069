@testable import Mxreg
import Testing

/// The `auth` objects the binding writes itself.
struct AuthJSONTests {
    @Test func stagesAreWrittenAsTheSpecSaysWithNilsLeftOut() {
        #expect(Auth.dummy(session: "s1").json == #"{"type":"m.login.dummy","session":"s1"}"#)
        #expect(Auth.dummy(session: nil).json == #"{"type":"m.login.dummy"}"#)
        #expect(Auth.registrationToken("t", session: "s").json == #"{"type":"m.login.registration_token","token":"t","session":"s"}"#)
        #expect(Auth.emailIdentity(sid: "12", clientSecret: "cs", session: "s").json
            == #"{"type":"m.login.email.identity","threepid_creds":{"sid":"12","client_secret":"cs"},"session":"s"}"#)
    }

    @Test func stringsAreEscaped() {
        #expect(Json.string("a\"b\\c\n\u{1}\u{e9}") == "\"a\\\"b\\\\c\\n\\u0001\u{e9}\"")
        #expect(!Auth.registrationToken("secret-token", session: nil).description.contains("secret-token"))
    }
}
