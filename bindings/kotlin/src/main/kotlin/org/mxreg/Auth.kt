package org.mxreg

/** Stage types of user-interactive auth that registration servers ask for. */
public object AuthStage {
    public const val DUMMY: String = "m.login.dummy"
    public const val REGISTRATION_TOKEN: String = "m.login.registration_token"
    public const val TERMS: String = "m.login.terms"
    public const val EMAIL_IDENTITY: String = "m.login.email.identity"
    public const val MSISDN: String = "m.login.msisdn"
    public const val RECAPTCHA: String = "m.login.recaptcha"
}

/**
 * The `auth` object that completes one UIA stage, sent with the next
 * registration request. [toString] shows only the stage type: values such
 * as registration tokens or client secrets are secrets.
 */
public class Auth private constructor(internal val json: String, public val type: String) {
    override fun toString(): String = "Auth(type=$type)"

    public companion object {
        /** `m.login.dummy`: the stage that only completes a flow. */
        public fun dummy(session: String?): Auth = stage(AuthStage.DUMMY, session)

        /** `m.login.registration_token` with the token the user was given. */
        public fun registrationToken(token: String, session: String?): Auth =
            stage(AuthStage.REGISTRATION_TOKEN, session, "token" to token)

        /** `m.login.terms`: the user accepted the policies listed in the stage's params. */
        public fun terms(session: String?): Auth = stage(AuthStage.TERMS, session)

        /** `m.login.email.identity` after the user followed the validation link. */
        public fun emailIdentity(sid: String, clientSecret: String, session: String?): Auth = stage(
            AuthStage.EMAIL_IDENTITY,
            session,
            "threepid_creds" to Json.RawJson(Json.obj("sid" to sid, "client_secret" to clientSecret)),
        )

        /** Any other stage, as a JSON object text; the library validates it. */
        public fun fromJson(type: String, json: String): Auth = Auth(json, type)

        private fun stage(type: String, session: String?, vararg fields: Pair<String, Any?>): Auth =
            Auth(Json.obj("type" to type, *fields, "session" to session), type)
    }
}
