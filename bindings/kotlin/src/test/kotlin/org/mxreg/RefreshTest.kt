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
import kotlin.test.assertFailsWith
import kotlin.test.assertNotNull

/** `Client.refresh`: a new pair, reuse refused, garbage refused. */
@ExtendWith(NoLeakedHandles::class)
class RefreshTest {
    @Test
    fun refreshGivesANewPairAndRefusesReuseAndGarbage() {
        client("open").use { client ->
            registerWithDummy(client, RegisterRequest(uniqueUsername("ref"), PASSWORD)).use { registration ->
                val first = assertNotNull(registration.refreshToken)
                client.refresh(first).use { pair ->
                    assertNotEquals(registration.accessToken, pair.accessToken)
                    assertTrue(pair.expiresInMs!! > 0)
                    assertFalse(pair.toString().contains(pair.accessToken))
                    val second = assertNotNull(pair.refreshToken, "Synapse rotates refresh tokens")
                    // Using the new access token makes the old refresh token unusable.
                    assertEquals(registration.userId, Servers.whoami("open", pair.accessToken))
                    val reuse = assertFailsWith<MxregException.Forbidden> { client.refresh(first) }
                    assertEquals(403, reuse.httpStatus)
                    client.refresh(second).close()
                }
            }
            val garbage = assertFailsWith<MxregException.UnknownToken> { client.refresh("garbage") }
            assertEquals("M_UNKNOWN_TOKEN", garbage.errcode)
        }
    }
}
