package org.mxreg

import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNotEquals
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.extension.ExtendWith
import org.mxreg.Servers.PASSWORD
import org.mxreg.Servers.client
import org.mxreg.Servers.registerWithDummy
import org.mxreg.Servers.uniqueUsername
import org.mxreg.coroutines.suspending
import kotlin.test.assertFailsWith
import kotlin.test.assertNotNull

/** `Client.login` on the open Synapse: password, wrong password, unknown user, a login token used twice. */
@ExtendWith(NoLeakedHandles::class)
class LoginTest {
    /** A new account registered with `inhibitLogin` (no device yet); its localpart. */
    private fun accountWithoutDevice(client: Client, prefix: String): String {
        val username = uniqueUsername(prefix)
        registerWithDummy(client, RegisterRequest(username, PASSWORD, inhibitLogin = true)).use {
            assertNull(it.accessToken)
        }
        return username
    }

    @Test
    fun passwordLoginAfterAnInhibitLoginRegistration() {
        client("open").use { client ->
            val username = accountWithoutDevice(client, "ktlogin")
            client.login(LoginRequest.password(username, PASSWORD, initialDeviceDisplayName = "mxreg kotlin")).use { account ->
                assertEquals("@$username:localhost", account.userId)
                val token = assertNotNull(account.accessToken)
                assertNotNull(account.deviceId)
                assertNotNull(account.refreshToken)
                assertEquals(account.userId, Servers.whoami("open", token))
                assertFalse(account.toString().contains(token))
            }
            val byUserId = LoginRequest.password("@$username:localhost", PASSWORD, refreshToken = false)
            runBlocking { client.suspending().login(byUserId) }.use { account ->
                assertNull(account.refreshToken)
            }
        }
    }

    @Test
    fun wrongPasswordAndUnknownUserAreForbidden() {
        client("open").use { client ->
            val username = accountWithoutDevice(client, "ktwrong")
            val wrong = assertFailsWith<MxregException.Forbidden> {
                client.login(LoginRequest.password(username, "not-the-Passw0rd"))
            }
            assertEquals("M_FORBIDDEN", wrong.errcode)
            assertEquals(403, wrong.httpStatus)
            assertFalse(wrong.toString().contains("not-the-Passw0rd"))
            assertFailsWith<MxregException.Forbidden> {
                client.login(LoginRequest.password(uniqueUsername("ktnobody"), PASSWORD))
            }
        }
    }

    @Test
    fun aLoginTokenWorksOnce() {
        client("open").use { client ->
            val username = accountWithoutDevice(client, "kttoken")
            val token = Servers.rig("login-token", "open", "--user", "@$username:localhost")
            val request = LoginRequest.token(token)
            assertFalse(request.toString().contains(token))
            client.login(request).use { account ->
                assertEquals("@$username:localhost", account.userId)
                assertNotEquals(null, account.accessToken)
            }
            assertFailsWith<MxregException.Forbidden> { client.login(request) }
        }
    }
}
