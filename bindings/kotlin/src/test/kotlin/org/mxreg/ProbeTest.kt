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
}
