package org.mxreg

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNotEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.extension.ExtendWith
import org.mxreg.Servers.PASSWORD
import org.mxreg.Servers.client
import org.mxreg.Servers.uniqueUsername
import kotlin.test.assertFailsWith
import kotlin.test.assertNotNull

/**
 * Single sign-on on the rig's `sso` Synapse (the rig's OAuth server as its
 * upstream OpenID Connect provider): [Client.ssoUrl], the browser played by
 * `tests/oauth/browser.py`, [Client.ssoComplete].
 */
@ExtendWith(NoLeakedHandles::class)
class SsoTest {
    private companion object {
        /** Never opened: the rig's Synapse redirects there without a confirmation page. */
        const val REDIRECT_URL = "http://127.0.0.1:9/mxreg-sso"
        const val IDP = "oidc-rig"
    }

    private fun browse(url: String, username: String, action: String = "signup"): String =
        Servers.python(
            "tests/oauth/browser.py", url,
            "--redirect-uri", REDIRECT_URL,
            "--username", username,
            "--password", PASSWORD,
            "--action", action,
        )

    @Test
    fun firstSignInCreatesTheAccountAndTheSecondLogsIntoIt() {
        client("sso").use { client ->
            val username = uniqueUsername("ktsso")
            val url = client.ssoUrl(REDIRECT_URL, idpId = IDP)
            assertTrue(url.endsWith("/login/sso/redirect/$IDP?redirectUrl=http%3A%2F%2F127.0.0.1%3A9%2Fmxreg-sso&action=register"), url)
            client.ssoComplete(browse(url, username)).use { account ->
                assertEquals("@$username:localhost", account.userId)
                assertEquals(account.userId, Servers.whoami("sso", assertNotNull(account.accessToken)))
                val again = client.ssoComplete(browse(client.ssoUrl(REDIRECT_URL, login = true), username, "login"))
                again.use {
                    assertEquals(account.userId, it.userId)
                    assertNotEquals(account.deviceId, it.deviceId)
                }
            }
        }
    }

    @Test
    fun aLoginTokenIsRedeemedOnce() {
        client("sso").use { client ->
            val received = browse(client.ssoUrl(REDIRECT_URL, idpId = IDP), uniqueUsername("ktssotwice"))
            client.ssoComplete(received).close()
            val used = assertFailsWith<MxregException.Forbidden> { client.ssoComplete(received) }
            assertFalse(used.toString().contains(received.substringAfter("loginToken=")))
        }
    }

    @Test
    fun badInputIsRefused() {
        client("sso").use { client ->
            val unknown = assertFailsWith<MxregException.InvalidArgument> { client.ssoUrl(REDIRECT_URL, idpId = "oidc-nowhere") }
            assertTrue(unknown.message!!.contains(IDP), unknown.message)
            assertFailsWith<MxregException.InvalidArgument> { client.ssoUrl("/mxreg-sso") }
            assertFailsWith<MxregException.InvalidArgument> { client.ssoComplete("$REDIRECT_URL?error=denied") }
        }
        client("open").use { client ->
            assertFailsWith<MxregException.UnsupportedFlow> { client.ssoUrl(REDIRECT_URL) }
        }
    }
}
