package org.mxreg

import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNotEquals
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.extension.ExtendWith
import org.mxreg.Servers.client
import org.mxreg.Servers.uniqueUsername
import org.mxreg.coroutines.completeSuspending
import kotlin.test.assertFailsWith
import kotlin.test.assertNotNull

/**
 * OAuth 2.0 sign-up on the rig's OAuth-delegated Synapse (`MXREG_HS_OAUTH`),
 * with the user's browser played by `tests/oauth/browser.py`.
 */
@ExtendWith(NoLeakedHandles::class)
class OAuthTest {
    private companion object {
        /** Nothing listens there: the browser stops at the redirect. */
        const val REDIRECT_URI = "http://127.0.0.1:18199/callback"
        const val PASSWORD = "oauth-Passw0rd-long"
        val APP = OAuthClientMetadata(
            clientUri = "https://mxreg.test.invalid/",
            redirectUris = listOf(REDIRECT_URI),
            clientName = "mxreg Kotlin tests",
        )
    }

    /** The redirect the user's browser reaches after the server's pages. */
    private fun browse(
        authorization: OAuthAuthorization,
        username: String,
        action: String = "signup",
        redirectUri: String = REDIRECT_URI,
    ): String =
        Servers.python(
            "tests/oauth/browser.py",
            authorization.url,
            "--redirect-uri", redirectUri,
            "--username", username,
            "--password", PASSWORD,
            "--action", action,
        )

    private fun <T> withServer(block: (OAuthServer, String) -> T): T = client("oauth").use { client ->
        client.discoverOAuthServer().use { server -> block(server, server.registerClient(APP).clientId) }
    }

    private fun OAuthServer.start(clientId: String, intent: OAuthIntent = OAuthIntent.SIGN_UP) =
        startAuthorization(OAuthAuthorizationRequest(clientId, REDIRECT_URI, intent))

    @Test
    fun theServerOffersSignUpAndRefusesLegacyRegistration() {
        withServer { server, clientId ->
            assertTrue(server.supportsSignUp)
            assertNotNull(server.registrationEndpoint)
            assertTrue(server.issuer.startsWith("http"), server.issuer)
            assertTrue(server.metadataJson.contains("authorization_endpoint"))
            assertTrue(clientId.isNotEmpty())
        }
        val probe = ServerProbe.probe(Servers.url("oauth"))
        assertTrue(SignupMethod.OAUTH_CREATE in probe.signupMethods, probe.toString())
        assertFalse(SignupMethod.LEGACY in probe.signupMethods, probe.toString())
        client("oauth").use { client ->
            assertFailsWith<MxregException.Forbidden> { client.register(RegisterRequest(uniqueUsername("oleg"), PASSWORD)) }
        }
    }

    /** Registered without the port (RFC 8252 §7.3): each flow registers a client and may use any port. */
    @Test
    fun eachFlowRegistersAClientAndMayUseAnyLoopbackPort() {
        client("oauth").use { client ->
            client.discoverOAuthServer().use { server ->
                for (port in listOf(18197, 18198)) {
                    val registered = server.registerClient(APP)
                    assertTrue(registered.metadataJson.contains("\"http://127.0.0.1/callback\""), registered.metadataJson)
                    val redirectUri = "http://127.0.0.1:$port/callback"
                    val name = uniqueUsername("oport")
                    server.startAuthorization(OAuthAuthorizationRequest(registered.clientId, redirectUri)).use { authorization ->
                        authorization.complete(browse(authorization, name, redirectUri = redirectUri)).use { account ->
                            assertEquals("@$name:localhost", account.userId)
                        }
                    }
                }
            }
        }
    }

    @Test
    fun aLegacyHomeserverHasNoOAuth() {
        client("open").use { client -> assertFailsWith<MxregException.OAuthUnsupported> { client.discoverOAuthServer() } }
    }

    @Test
    fun signUpCreatesAnAccountThatRefreshesAndIsRevoked() {
        val name = uniqueUsername("osign")
        withServer { server, clientId ->
            server.start(clientId).use { authorization ->
                assertEquals(OAuthIntent.SIGN_UP, authorization.intent)
                assertTrue(authorization.url.contains("prompt=create"), authorization.url)
                val redirect = browse(authorization, name)
                runBlocking { authorization.completeSuspending(redirect) }.use { registration ->
                    assertEquals("@$name:localhost", registration.userId)
                    assertEquals(authorization.deviceId, registration.deviceId)
                    val access = assertNotNull(registration.accessToken)
                    assertEquals(registration.userId, Servers.whoami("oauth", access))

                    val first = assertNotNull(registration.refreshToken)
                    server.refreshToken(clientId, first).use { pair ->
                        assertNotEquals(access, pair.accessToken)
                        val rotated = assertNotNull(pair.refreshToken)
                        assertFailsWith<MxregException.OAuthInvalidGrant> { server.refreshToken(clientId, first) }
                        server.revokeToken(clientId, rotated)
                        assertNull(Servers.whoami("oauth", pair.accessToken), "revoked: the device is logged out")
                    }
                }
                // The code was used: a replay is refused.
                assertFailsWith<MxregException.OAuthInvalidGrant> { authorization.complete(redirect) }
            }
        }
    }

    @Test
    fun aRedirectForAnotherAuthorizationIsAStateMismatch() {
        withServer { server, clientId ->
            server.start(clientId).use { first ->
                server.start(clientId).use { second ->
                    val redirect = browse(first, uniqueUsername("ostate"))
                    assertNotEquals(first.state, second.state)
                    assertFailsWith<MxregException.OAuthStateMismatch> { second.complete(redirect) }
                    first.complete(redirect).close()
                }
            }
        }
    }

    @Test
    fun aDeniedConsentIsAccessDenied() {
        withServer { server, clientId ->
            server.start(clientId).use { authorization ->
                val redirect = browse(authorization, uniqueUsername("odeny"), action = "deny")
                val err = assertFailsWith<MxregException.OAuthAccessDenied> { authorization.complete(redirect) }
                assertEquals("access_denied", err.errcode)
            }
        }
    }

    @Test
    fun aSavedAuthorizationCompletesAfterARestart() {
        val name = uniqueUsername("osave")
        val (saved, redirect) = withServer { server, clientId ->
            server.start(clientId).use { authorization ->
                val saved = authorization.save()
                saved to browse(authorization, name)
            }
        }
        // A new process: discover again, restore, complete.
        client("oauth").use { client ->
            client.discoverOAuthServer().use { server ->
                assertFailsWith<MxregException.InvalidArgument> { server.restoreAuthorization("{}") }
                server.restoreAuthorization(saved).use { restored ->
                    restored.complete(redirect).use { assertEquals("@$name:localhost", it.userId) }
                }
            }
        }
    }
}
