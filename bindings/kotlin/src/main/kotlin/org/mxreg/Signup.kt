package org.mxreg

import com.sun.jna.Pointer
import com.sun.jna.ptr.PointerByReference
import org.mxreg.raw.LoadedLibrary
import org.mxreg.raw.SizeT

/**
 * A registration in progress, one call per stage (create it with
 * [Client.signup] or [Client.restoreSignup]):
 *
 * ```
 * client.signup(RegisterRequest("alice", password), setOf(Stage.REGISTRATION_TOKEN, Stage.TERMS)).use { signup ->
 *     signup.start()
 *     while (signup.status == SignupState.NEEDS_STAGE) {
 *         when (signup.nextStage) {
 *             AuthStage.REGISTRATION_TOKEN -> signup.submitToken(askForToken())
 *             AuthStage.TERMS -> { show(signup.policies()); signup.acceptTerms() }
 *         }
 *     }
 *     store(signup.requireRegistration())
 * }
 * ```
 *
 * `m.login.dummy` stages are completed by the library. Each step blocks for
 * one request. One step at a time: steps from several threads are
 * serialised, and [close] waits for a step in progress. Close it when done
 * (it wipes the password and secrets the native session holds).
 */
public class Signup internal constructor(pointer: Pointer) : AutoCloseable {
    private val lib = LoadedLibrary.library
    private val handle = NativeHandle(this, "signup", pointer, lib::mxreg_signup_free)
    private val registrationView = lazy {
        Registration(BorrowedHandle(handle, "registration") { lib.mxreg_signup_registration(it) })
    }

    public val status: SignupState get() = handle.read { SignupState.of(lib.mxreg_signup_status(it)) }

    /** The stage the server wants next (e.g. `m.login.terms`, see [AuthStage]), or null. */
    public val nextStage: String? get() = handle.read { lib.mxreg_signup_next_stage(it) }

    /** The server's last UIA answer (flows, params, completed stages, session), or null before it. */
    public val authInfo: AuthInfo? get() = handle.read { signup -> lib.mxreg_signup_auth_info(signup)?.let { AuthInfo.read(lib, it) } }

    /**
     * Where the server wants the code it mailed, or null when the mail holds a link to follow
     * ([checkEmail]). When set, ask the user for the code and call [submitEmailCode].
     */
    public val emailSubmitUrl: String? get() = handle.read { lib.mxreg_signup_email_submit_url(it) }

    /** The server's web page for the next stage (open it, then [fallbackDone]), or null. */
    public val fallbackUrl: String? get() = handle.read { lib.mxreg_signup_fallback_url(it) }

    /**
     * The new account once [status] is [SignupState.COMPLETE], else null. A
     * view of this session: read what you need before closing the session.
     */
    public val registration: Registration?
        get() = if (handle.read { lib.mxreg_signup_registration(it) } == null) null else registrationView.value

    /** The new account; [IllegalStateException] when the session is not complete. */
    public fun requireRegistration(): Registration =
        registration ?: throw IllegalStateException("the signup session is $status, not COMPLETE")

    /** The policies of the `m.login.terms` stage: show them (their URLs) before [acceptTerms]. */
    public fun policies(language: String? = null): List<Policy> = NativeStrings().use { strings ->
        val lang = strings.put("language", language)
        handle.read { signup ->
            (0 until lib.mxreg_signup_policy_count(signup).toLong()).map { i ->
                val index = SizeT(i)
                Policy(
                    id = lib.mxreg_signup_policy_id(signup, index) ?: "",
                    version = lib.mxreg_signup_policy_version(signup, index) ?: "",
                    name = lib.mxreg_signup_policy_name(signup, index, lang) ?: "",
                    url = lib.mxreg_signup_policy_url(signup, index, lang) ?: "",
                )
            }
        }
    }

    /**
     * The session as a JSON string for [Client.restoreSignup]. It holds the
     * password and validation secrets: store it as you would the password.
     */
    @Throws(MxregException::class)
    public fun save(): String = takeString(
        synchronized(stepLock) { handle.callForHandle { signup, _, out, errorOut -> lib.mxreg_signup_save(signup, out, errorOut) } },
        "libmxreg returned no saved session",
    )

    /** Send the first request; then [status] is NEEDS_STAGE or COMPLETE. `UnsupportedFlow` when no flow fits. */
    @Throws(MxregException::class)
    public fun start(): Unit = bareStep(lib::mxreg_signup_start)

    /** Complete `m.login.registration_token`; a wrong or used-up token is `StageRejected` (session still usable). */
    @Throws(MxregException::class)
    public fun submitToken(token: String): Unit = step("token", token, lib::mxreg_signup_submit_token)

    /** Complete `m.login.terms`: the user accepted every policy [policies] lists. */
    @Throws(MxregException::class)
    public fun acceptTerms(): Unit = bareStep(lib::mxreg_signup_accept_terms)

    /** Have the server mail a validation link to [email] (again: resend); then [checkEmail], or [submitEmailCode] when [emailSubmitUrl] is set. */
    @Throws(MxregException::class)
    public fun requestEmailToken(email: String, nextLink: String? = null): Unit = step { signup, strings, errorOut ->
        lib.mxreg_signup_request_email_token(signup, strings.put("email", email), strings.put("nextLink", nextLink), errorOut)
    }

    /** Complete `m.login.email.identity` if the link was followed: true when done, false when not yet. */
    @Throws(MxregException::class)
    public fun checkEmail(): Boolean = try {
        bareStep(lib::mxreg_signup_check_email)
        true
    } catch (_: MxregException.StageRejected) {
        false
    }

    /** Complete `m.login.email.identity` with the code from the mail, sent to [emailSubmitUrl]. */
    @Throws(MxregException::class)
    public fun submitEmailCode(code: String): Unit = step("code", code, lib::mxreg_signup_submit_email_code)

    /** Have the server text a code to [phoneNumber] ([country]: ISO 3166-1 alpha-2, e.g. `GB`). */
    @Throws(MxregException::class)
    public fun requestMsisdnToken(country: String, phoneNumber: String): Unit = step { signup, strings, errorOut ->
        lib.mxreg_signup_request_msisdn_token(
            signup,
            strings.put("country", country),
            strings.put("phoneNumber", phoneNumber),
            errorOut,
        )
    }

    /** Complete `m.login.msisdn` with the code from the SMS. */
    @Throws(MxregException::class)
    public fun submitMsisdnCode(code: String): Unit = step("code", code, lib::mxreg_signup_submit_msisdn_code)

    /** Complete `m.login.recaptcha` with the widget's response (public key in [authInfo]'s params). */
    @Throws(MxregException::class)
    public fun submitRecaptcha(response: String): Unit = step("response", response, lib::mxreg_signup_submit_recaptcha)

    /** The user finished [fallbackUrl] in a browser: ask the server to go on. */
    @Throws(MxregException::class)
    public fun fallbackDone(): Unit = bareStep(lib::mxreg_signup_fallback_done)

    /**
     * After [MxregException.OutcomeUnknown] from a step: end with the account
     * on the session's device (the attempt is sent again, else mxreg logs in
     * onto that device), or go on with the stages when registration had not
     * finished. [MxregException.InvalidState] when no attempt was lost.
     */
    @Throws(MxregException::class)
    public fun recover(): Unit = bareStep(lib::mxreg_signup_recover)

    /** Complete any stage with an `auth` object the app built (the session ID is added). */
    @Throws(MxregException::class)
    public fun submitAuth(auth: Auth): Unit = step("auth", auth.json, lib::mxreg_signup_submit_auth_json)

    public val isClosed: Boolean get() = handle.isClosed

    /** Free the session, wiping its secrets (waits for a call in progress); safe to call twice. */
    override fun close(): Unit = handle.close()

    override fun toString(): String = if (isClosed) "Signup(closed)" else "Signup($status, nextStage=$nextStage)"

    // The native session refuses overlapping calls: queue them instead.
    private val stepLock = Any()

    private fun step(call: (signup: Pointer, strings: NativeStrings, errorOut: PointerByReference) -> Int) {
        synchronized(stepLock) { handle.call(call) }
    }

    /** A step that sends nothing but the session. */
    private fun bareStep(call: (signup: Pointer, errorOut: PointerByReference) -> Int) {
        step { signup, _, errorOut -> call(signup, errorOut) }
    }

    /** A step that sends one string, [value] ([name] is for error messages). */
    private fun step(name: String, value: String, call: (signup: Pointer, value: Pointer?, errorOut: PointerByReference) -> Int) {
        step { signup, strings, errorOut -> call(signup, strings.put(name, value), errorOut) }
    }
}
