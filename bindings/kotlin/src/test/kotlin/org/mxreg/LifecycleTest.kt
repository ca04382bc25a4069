package org.mxreg

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNotEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.extension.ExtendWith
import org.mxreg.Servers.PASSWORD
import org.mxreg.Servers.client
import org.mxreg.Servers.registerWithDummy
import org.mxreg.Servers.uniqueUsername
import org.mxreg.raw.MXREG_STAGES_ALL
import java.util.concurrent.Executors
import java.util.concurrent.TimeUnit
import kotlin.test.assertFailsWith
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.Duration.Companion.seconds

/** Handles, threads, bad input and secrets: the binding never crashes and never leaks. */
@ExtendWith(NoLeakedHandles::class)
class LifecycleTest {
    @Test
    fun closeIsIdempotentAndUseAfterCloseIsAClearError() {
        val client = client("open")
        client.close()
        client.close()
        assertTrue(client.isClosed)
        val err = assertFailsWith<IllegalStateException> { client.register(RegisterRequest("x", PASSWORD)) }
        assertTrue(err.message!!.contains("client is closed"), err.message)
    }

    @Test
    fun aForgottenClientIsFreedByTheCleaner() {
        fun forget() {
            Client(Servers.url("open"))
        }
        forget()
        assertEquals(1, Mxreg.liveHandles()["client"])
        val deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20)
        while (Mxreg.liveHandles().containsKey("client") && System.nanoTime() < deadline) {
            System.gc()
            Thread.sleep(50)
        }
        assertFalse(Mxreg.liveHandles().containsKey("client"), "the Cleaner did not free the client")
    }

    @Test
    fun badStringsAreRefusedBeforeTheCall() {
        client("open").use { client ->
            val nul = assertFailsWith<MxregException.InvalidArgument> { client.register(RegisterRequest("a\u0000b", PASSWORD)) }
            assertTrue(nul.message!!.contains("username"), nul.message)
            assertFailsWith<MxregException.InvalidUtf8> { client.register(RegisterRequest("a\uD800b", PASSWORD)) }
            assertFailsWith<MxregException.InvalidArgument> { client.register(RegisterRequest(auth = Auth.fromJson("x", "{oops"))) }
        }
        assertFailsWith<MxregException.InvalidArgument> { Client("not a url") }
        assertFailsWith<MxregException.InvalidArgument> { Client(Servers.url("open"), ClientOptions(requestTimeout = (-1).seconds)) }
        assertFailsWith<MxregException.InvalidArgument> { Client(Servers.url("open"), ClientOptions(maxResponseBytes = 0)) }
    }

    @Test
    fun secretsStayOutOfToString() {
        val request = RegisterRequest("alice", PASSWORD, auth = Auth.registrationToken("tok-secret", "s"))
        assertFalse(request.toString().contains(PASSWORD), request.toString())
        assertFalse(request.toString().contains("tok-secret"), request.toString())
        assertTrue(request.toString().contains("alice"))
    }

    @Test
    fun everyStageFlagIsKnown() {
        assertEquals(MXREG_STAGES_ALL, Stage.flags(Stage.ALL))
    }

    @Test
    fun oneClientServesSeveralThreadsAtOnce() {
        client("stress").use { client ->
            val pool = Executors.newFixedThreadPool(4)
            try {
                val names = List(8) { uniqueUsername("thr") }
                val results = names.map { name ->
                    pool.submit<String> {
                        registerWithDummy(client, RegisterRequest(name, PASSWORD)).use { it.userId }
                    }
                }
                assertEquals(names.map { "@$it:localhost" }, results.map { it.get(60, TimeUnit.SECONDS) })
            } finally {
                pool.shutdown()
            }
        }
    }

    @Test
    fun aSilentServerTimesOutAndClosingMidCallIsSafe() {
        SilentServer().use { silent ->
            val client = Client(silent.url, ClientOptions(requestTimeout = 1500.milliseconds))
            val pool = Executors.newSingleThreadExecutor()
            try {
                val started = System.nanoTime()
                val call = pool.submit<Throwable?> {
                    runCatching { client.register(RegisterRequest(uniqueUsername("silent"), PASSWORD)) }.exceptionOrNull()
                }
                Thread.sleep(300)
                client.close() // while the call is in flight: it keeps its own reference
                val err = call.get(20, TimeUnit.SECONDS)
                val elapsedMs = (System.nanoTime() - started) / 1_000_000
                assertTrue(err is MxregException.Transport, "got $err")
                assertTrue(elapsedMs in 1000..10_000, "took $elapsedMs ms")
            } finally {
                pool.shutdown()
            }
        }
    }

    @Test
    fun aSessionSaysBusyWhileAStepRunsOnAnotherThread() {
        SilentServer().use { silent ->
            Client(silent.url, ClientOptions(requestTimeout = 1500.milliseconds)).use { client ->
                client.signup(RegisterRequest(uniqueUsername("busy"), PASSWORD)).use { signup ->
                    val pool = Executors.newSingleThreadExecutor()
                    try {
                        val step = pool.submit<Throwable?> { runCatching { signup.start() }.exceptionOrNull() }
                        Thread.sleep(300)
                        assertEquals(SignupState.BUSY, signup.status)
                        assertTrue(step.get(20, TimeUnit.SECONDS) is MxregException.Transport)
                        assertNotEquals(SignupState.BUSY, signup.status)
                    } finally {
                        pool.shutdown()
                    }
                }
            }
        }
    }
}
