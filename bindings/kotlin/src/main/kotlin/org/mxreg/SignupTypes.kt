package org.mxreg

import org.mxreg.raw.MxregSignupState
import org.mxreg.raw.MxregStage

/** Stage kinds an app can complete in a [Signup] (`mxreg_stage` flags). */
public enum class Stage(internal val flag: Int, public val type: String?) {
    /** Always handled by the library; listing it changes nothing. */
    DUMMY(MxregStage.DUMMY, AuthStage.DUMMY),
    REGISTRATION_TOKEN(MxregStage.REGISTRATION_TOKEN, AuthStage.REGISTRATION_TOKEN),
    TERMS(MxregStage.TERMS, AuthStage.TERMS),
    EMAIL(MxregStage.EMAIL, AuthStage.EMAIL_IDENTITY),
    MSISDN(MxregStage.MSISDN, AuthStage.MSISDN),
    RECAPTCHA(MxregStage.RECAPTCHA, AuthStage.RECAPTCHA),

    /** The app can open the server's fallback web page for any stage. */
    FALLBACK(MxregStage.FALLBACK, null),
    ;

    public companion object {
        /** Every stage kind. */
        public val ALL: Set<Stage> = entries.toSet()

        internal fun flags(stages: Set<Stage>): Int = stages.fold(0) { flags, stage -> flags or stage.flag }
    }
}

/** Where a [Signup] is (`mxreg_signup_state`). */
public enum class SignupState(internal val raw: Int) {
    NOT_STARTED(MxregSignupState.NOT_STARTED),

    /** The server wants a stage: see [Signup.nextStage]. */
    NEEDS_STAGE(MxregSignupState.NEEDS_STAGE),

    /** The account exists: see [Signup.registration]. */
    COMPLETE(MxregSignupState.COMPLETE),

    /** The server refused for good: start a new session. */
    FAILED(MxregSignupState.FAILED),

    /** A step is running on another thread: ask again when it has returned. */
    BUSY(MxregSignupState.BUSY),
    ;

    internal companion object {
        fun of(raw: Int): SignupState = entries.firstOrNull { it.raw == raw } ?: FAILED
    }
}

/** One policy of an `m.login.terms` stage, in the language asked for (else English, else the first). */
public data class Policy(
    public val id: String,
    public val version: String,
    public val name: String,
    public val url: String,
)
