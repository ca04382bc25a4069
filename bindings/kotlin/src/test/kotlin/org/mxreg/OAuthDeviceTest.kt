package org.mxreg

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.extension.ExtendWith
import org.mxreg.Servers.client
import org.mxreg.Servers.uniqueUsername
import kotlin.test.assertFailsWith
import kotlin.test.assertNotNull

/**
 * The device authorization grant (RFC 8628) on the rig's OAuth-delegated
 * Synapse: approved, denied, left to expire. The user's other device is
 * played by `tests/oauth/browser.py --device`.
 */
@ExtendWith(NoLeakedHandles::class)
class OAuthDeviceTest {
    private companion object {
        const val REDIRECT_URI = "http://127.0.0.1:18199/callback"
        const val PASSWORD = "device-Passw0rd-long"

        /** The rig gives clients with this in their name device codes that expire after 3 s. */
        const val SHORT_LIVED = "(short-lived device codes)"

        fun app(name: String) = OAuthClientMetadata(
            clientUri = "https://mxreg.test.invalid/",
            redirectUris = listOf(REDIRECT_URI),
            clientName = name,
        )
    }

    private fun <T> withServer(name: String = "mxreg Kotlin device tests", block: (OAuthServer, String) -> T): T =
        client("oauth").use { client ->
            client.discoverOAuthServer().use { server -> block(server, server.registerClient(app(name)).clientId) }
        }

    /** The user on another device: `approved` or `denied`. */
    private fun userVisits(device: OAuthDeviceAuthorization, username: String, action: String): String =
        Servers.python(
            "tests/oauth/browser.py", "--device", assertNotNull(device.verificationUriComplete),
            "--username", username, "--password", PASSWORD, "--action", action,
        )

    /** A new account through the code flow (the device flow only signs in). */
    private fun signUp(server: OAuthServer, clientId: String): String {
        val username = uniqueUsername("ktdev")
        server.startAuthorization(OAuthAuthorizationRequest(clientId, REDIRECT_URI, OAuthIntent.SIGN_UP)).use { authorization ->
            val redirect = Servers.python(
                "tests/oauth/browser.py", authorization.url, "--redirect-uri", REDIRECT_URI,
                "--username", username, "--password", PASSWORD, "--action", "signup",
            )
            authorization.complete(redirect).close()
        }
        return username
    }

    @Test
    fun approvedOnAnotherDevice() {
        withServer { server, clientId ->
            assertTrue(server.supportsDeviceAuthorization)
            val username = signUp(server, clientId)
            server.startDeviceAuthorization(clientId).use { device ->
                assertTrue(device.userCode.isNotEmpty())
                assertTrue(device.intervalMs >= 1000)
                val pending = assertFailsWith<MxregException.OAuthAuthorizationPending> { device.poll() }
                assertEquals("authorization_pending", pending.errcode)
                assertEquals("approved", userVisits(device, username, "login"))
                device.await().use { account ->
                    assertEquals("@$username:localhost", account.userId)
                    assertEquals(device.deviceId, account.deviceId)
                    assertEquals(account.userId, Servers.whoami("oauth", assertNotNull(account.accessToken)))
                }
                assertFailsWith<MxregException.OAuthInvalidGrant> { device.poll() }
            }
        }
    }

    @Test
    fun deniedIsAccessDenied() {
        withServer { server, clientId ->
            server.startDeviceAuthorization(clientId).use { device ->
                assertEquals("denied", userVisits(device, uniqueUsername("ktdevno"), "deny"))
                assertFailsWith<MxregException.OAuthAccessDenied> { device.await() }
            }
        }
    }

    @Test
    fun aCodeLeftToExpireIsExpiredToken() {
        withServer("mxreg Kotlin device tests $SHORT_LIVED") { server, clientId ->
            server.startDeviceAuthorization(clientId, deviceId = "MXREGKTDEV").use { device ->
                assertEquals("MXREGKTDEV", device.deviceId)
                val left = device.expiresAtMs - System.currentTimeMillis()
                assertTrue(left <= 3000, "the rig's short-lived codes last 3 s, not $left ms")
                Thread.sleep(left + 1000)
                assertFailsWith<MxregException.OAuthExpiredToken> { device.poll() }
            }
        }
    }
}
