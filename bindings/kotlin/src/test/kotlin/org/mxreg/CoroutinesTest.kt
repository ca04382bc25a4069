package org.mxreg

import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.TimeoutCancellationException
import kotlinx.coroutines.async
import kotlinx.coroutines.delay
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.extension.ExtendWith
import org.mxreg.Servers.PASSWORD
import org.mxreg.Servers.client
import org.mxreg.Servers.uniqueUsername
import org.mxreg.coroutines.probeServer
import org.mxreg.coroutines.suspending
import java.util.concurrent.TimeUnit
import kotlin.test.assertFailsWith
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.Duration.Companion.seconds

/** The suspending variants: results, errors, and what cancellation does and does not do. */
@ExtendWith(NoLeakedHandles::class)
class CoroutinesTest {
    @Test
    fun suspendingCallsRegisterAndRaiseTheSameExceptions() = runBlocking {
        val name = uniqueUsername("co")
        client("open").use { client ->
            val suspending = client.suspending()
            suspending.register(RegisterRequest(name, PASSWORD, auth = Auth.dummy(null))).use {
                assertEquals("@$name:localhost", it.userId)
            }
            assertFailsWith<MxregException.UserInUse> {
                runBlocking { suspending.register(RegisterRequest(name, PASSWORD, auth = Auth.dummy(null))) }
            }
            val signupName = uniqueUsername("cosign")
            client.signup(RegisterRequest(signupName, PASSWORD)).use { signup ->
                signup.suspending().start()
                assertEquals(SignupState.COMPLETE, signup.status)
                assertEquals("@$signupName:localhost", signup.requireRegistration().userId)
            }
            assertTrue(probeServer(Servers.url("open")).signupMethods.contains(SignupMethod.LEGACY))
        }
    }

    @Test
    fun cancellingResumesAtOnceWhileTheNativeCallRunsToItsTimeout() {
        SilentServer().use { silent ->
            Client(silent.url, ClientOptions(requestTimeout = 2.seconds)).use { client ->
                runBlocking {
                    val started = System.nanoTime()
                    val call = async { client.suspending().register(RegisterRequest(uniqueUsername("cancel"), PASSWORD)) }
                    delay(300)
                    call.cancel()
                    assertFailsWith<CancellationException> { runBlocking { call.await() } }
                    val cancelledAfterMs = (System.nanoTime() - started) / 1_000_000
                    assertTrue(cancelledAfterMs < 1500, "cancellation took $cancelledAfterMs ms")
                    // The native call is not interrupted: its client reference is still held.
                    assertEquals(1, Mxreg.liveHandles()["client reference"], Mxreg.liveHandles().toString())
                }
                waitUntil(10) { !Mxreg.liveHandles().containsKey("client reference") }
            }
        }
    }

    @Test
    fun withTimeoutBoundsTheWaitButNotTheNativeCall() {
        SilentServer().use { silent ->
            Client(silent.url, ClientOptions(requestTimeout = 2.seconds)).use { client ->
                val started = System.nanoTime()
                assertFailsWith<TimeoutCancellationException> {
                    runBlocking { withTimeout(400.milliseconds) { client.suspending().usernameAvailable("someone") } }
                }
                assertTrue((System.nanoTime() - started) / 1_000_000 < 1500)
                waitUntil(10) { !Mxreg.liveHandles().containsKey("client reference") }
            }
        }
    }

    private fun waitUntil(seconds: Long, condition: () -> Boolean) {
        val deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds)
        while (!condition()) {
            check(System.nanoTime() < deadline) { "condition not met within $seconds s: ${Mxreg.liveHandles()}" }
            Thread.sleep(50)
        }
    }
}
