package org.mxreg.coroutines

import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.asExecutor
import kotlinx.coroutines.delay
import org.mxreg.Auth
import org.mxreg.MxregException
import org.mxreg.Signup
import java.util.concurrent.Executor
import kotlin.time.Duration
import kotlin.time.Duration.Companion.seconds

/**
 * Suspending variants of [Signup]'s steps, run on [dispatcher]; read the
 * state ([Signup.status], [Signup.nextStage], ...) on [signup] itself.
 * Cancellation behaves as described on [SuspendingClient]: a step cancelled
 * in flight still runs to its end (and a next step waits for it).
 */
public class SuspendingSignup(
    public val signup: Signup,
    dispatcher: CoroutineDispatcher = Dispatchers.IO,
) {
    private val executor: Executor = dispatcher.asExecutor()

    @Throws(MxregException::class)
    public suspend fun start(): Unit = offload(executor) { signup.start() }

    @Throws(MxregException::class)
    public suspend fun submitToken(token: String): Unit = offload(executor) { signup.submitToken(token) }

    @Throws(MxregException::class)
    public suspend fun acceptTerms(): Unit = offload(executor) { signup.acceptTerms() }

    @Throws(MxregException::class)
    public suspend fun requestEmailToken(email: String, nextLink: String? = null): Unit =
        offload(executor) { signup.requestEmailToken(email, nextLink) }

    @Throws(MxregException::class)
    public suspend fun checkEmail(): Boolean = offload(executor) { signup.checkEmail() }

    /**
     * Poll [checkEmail] every [pollInterval] until the user followed the
     * link. Bound it with `withTimeout`; save the session first if the app
     * may be closed meanwhile.
     */
    @Throws(MxregException::class)
    public suspend fun awaitEmail(pollInterval: Duration = 3.seconds) {
        while (!checkEmail()) delay(pollInterval)
    }

    /** The code from the mail, when the server gave a submit URL ([Signup.emailSubmitUrl]). */
    @Throws(MxregException::class)
    public suspend fun submitEmailCode(code: String): Unit = offload(executor) { signup.submitEmailCode(code) }

    @Throws(MxregException::class)
    public suspend fun requestMsisdnToken(country: String, phoneNumber: String): Unit =
        offload(executor) { signup.requestMsisdnToken(country, phoneNumber) }

    @Throws(MxregException::class)
    public suspend fun submitMsisdnCode(code: String): Unit = offload(executor) { signup.submitMsisdnCode(code) }

    @Throws(MxregException::class)
    public suspend fun submitRecaptcha(response: String): Unit = offload(executor) { signup.submitRecaptcha(response) }

    @Throws(MxregException::class)
    public suspend fun fallbackDone(): Unit = offload(executor) { signup.fallbackDone() }

    @Throws(MxregException::class)
    public suspend fun recover(): Unit = offload(executor) { signup.recover() }

    @Throws(MxregException::class)
    public suspend fun submitAuth(auth: Auth): Unit = offload(executor) { signup.submitAuth(auth) }
}

/** This session's suspending variants, run on [dispatcher]. */
public fun Signup.suspending(dispatcher: CoroutineDispatcher = Dispatchers.IO): SuspendingSignup =
    SuspendingSignup(this, dispatcher)
