package org.mxreg

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.extension.ExtendWith
import java.net.InetAddress
import java.net.ServerSocket
import kotlin.concurrent.thread
import kotlin.test.assertFailsWith
import kotlin.test.assertNotNull

/** `ServerProbe.probe` against the variants and against something that is not Matrix. */
@ExtendWith(NoLeakedHandles::class)
class ProbeTest {
    @Test
    fun anOpenServerOffersLegacySignupWithItsFlows() {
        val probe = ServerProbe.probe(Servers.url("open"))
        assertEquals(Servers.url("open"), probe.homeserverUrl)
        assertTrue(SignupMethod.LEGACY in probe.signupMethods, probe.toString())
        val info = assertNotNull(probe.authInfo)
        assertEquals(listOf(listOf(AuthStage.DUMMY)), info.flows)
        assertTrue(probe.json.startsWith("{"), probe.json)
    }

    @Test
    fun aTokenServerListsTheTokenStage() {
        val probe = ServerProbe.probe(Servers.url("token"))
        val flows = assertNotNull(probe.authInfo).flows
        assertTrue(flows.any { AuthStage.REGISTRATION_TOKEN in it }, flows.toString())
    }

    @Test
    fun aClosedServerOffersNoLegacySignup() {
        val probe = ServerProbe.probe(Servers.url("closed"))
        assertFalse(SignupMethod.LEGACY in probe.signupMethods, probe.toString())
        assertEquals(null, probe.authInfo)
    }

    @Test
    fun somethingThatIsNotMatrixIsAnInvalidResponse() {
        ServerSocket(0, 8, InetAddress.getLoopbackAddress()).use { server ->
            val responder = thread(isDaemon = true) {
                runCatching {
                    while (true) {
                        server.accept().use { socket ->
                            socket.getInputStream().read(ByteArray(4096))
                            val body = "<html>not matrix</html>"
                            socket.getOutputStream().write(
                                ("HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\nContent-Length: ${body.length}\r\n" +
                                    "Connection: close\r\n\r\n$body").toByteArray(),
                            )
                        }
                    }
                }
            }
            assertFailsWith<MxregException.InvalidResponse> { ServerProbe.probe("http://127.0.0.1:${server.localPort}") }
            server.close()
            responder.join(5_000)
        }
    }

    /**
     * A scripted stand-in for an OAuth-only homeserver whose OAuth metadata
     * answers 429 (no real server does on demand): the probe must report the
     * OAuth part as unknown with RATE_LIMITED, not "SSO only", after asking once.
     */
    @Test
    fun aRateLimitedOAuthPartIsUnknownNotMissing() {
        val metadataRequests = java.util.concurrent.atomic.AtomicInteger()
        ServerSocket(0, 16, InetAddress.getLoopbackAddress()).use { server ->
            val responder = thread(isDaemon = true) {
                runCatching {
                    while (true) {
                        server.accept().use { socket ->
                            val head = ByteArray(8192)
                            val read = socket.getInputStream().read(head)
                            val path = String(head, 0, maxOf(read, 0)).substringAfter(' ').substringBefore(' ')
                            val (status, body) = when (path) {
                                "/_matrix/client/versions" -> 200 to """{"versions":["v1.15"]}"""
                                "/_matrix/client/v3/login" -> 200 to """{"flows":[{"type":"m.login.sso"}]}"""
                                "/_matrix/client/v1/auth_metadata" -> {
                                    metadataRequests.incrementAndGet()
                                    429 to """{"errcode":"M_LIMIT_EXCEEDED","retry_after_ms":0}"""
                                }
                                "/_matrix/client/v3/register" -> 403 to """{"errcode":"M_FORBIDDEN"}"""
                                else -> 404 to """{"errcode":"M_NOT_FOUND"}"""
                            }
                            socket.getOutputStream().write(
                                ("HTTP/1.1 $status X\r\nContent-Type: application/json\r\n" +
                                    "Content-Length: ${body.length}\r\nConnection: close\r\n\r\n$body").toByteArray(),
                            )
                        }
                    }
                }
            }
            val probe = ServerProbe.probe("http://127.0.0.1:${server.localPort}")
            assertEquals(setOf(SignupMethod.SSO), probe.signupMethods, probe.toString())
            val unknown = probe.unknown.single()
            assertEquals(ProbePart.OAUTH, unknown.part)
            assertEquals(org.mxreg.raw.MxregResult.RATE_LIMITED, unknown.code)
            assertTrue("M_LIMIT_EXCEEDED" in unknown.message, unknown.message)
            assertEquals(1, metadataRequests.get(), "a 429 is asked once")
            server.close()
            responder.join(5_000)
        }
    }
}
