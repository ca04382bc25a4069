package org.mxreg

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.extension.ExtendWith
import org.mxreg.Servers.PASSWORD
import org.mxreg.Servers.client
import org.mxreg.Servers.registerWithDummy
import org.mxreg.Servers.uniqueUsername
import kotlin.test.assertFailsWith
import kotlin.test.assertNotNull

/** Typed errors with their payloads from the Synapse variants, and recovery onto the named device. */
@ExtendWith(NoLeakedHandles::class)
class TypedErrorsTest {
    @Test
    fun aDisabledServerGivesAResourceLimitWithItsAdminContact() {
        client("limited").use { client ->
            val request = RegisterRequest(uniqueUsername("ktlim"), PASSWORD, Auth.dummy(null))
            val refused = assertFailsWith<MxregException.ResourceLimitExceeded> { client.register(request) }
            assertEquals("M_RESOURCE_LIMIT_EXCEEDED", refused.errcode)
            assertEquals("mailto:admin@localhost", refused.adminContact)
            assertNull(refused.consentUri)
            assertFalse(refused.canUpgrade)
        }
    }

    @Test
    fun aNameInAnAppserviceNamespaceIsExclusive() {
        client("open").use { client ->
            val request = RegisterRequest("mxregbot_" + uniqueUsername("x"), PASSWORD, Auth.dummy(null))
            assertFailsWith<MxregException.Exclusive> { client.register(request) }
        }
    }

    @Test
    fun guestsWhereGuestAccessIsOffAreForbidden() {
        client("token").use { client ->
            val refused = assertFailsWith<MxregException.GuestAccessForbidden> { client.registerGuest() }
            assertEquals(403, refused.httpStatus)
        }
    }

    @Test
    fun recoveryEndsOnTheDeviceTheRegistrationNamed() {
        client("open").use { client ->
            val request = RegisterRequest(uniqueUsername("ktrecover"), PASSWORD)
            registerWithDummy(client, request).use { first ->
                val device = assertNotNull(first.deviceId)
                assertEquals(10, device.length, "chosen by mxreg")
                client.recoverRegistration(request.withAuth(Auth.dummy(null)).withDeviceId(device)).use { again ->
                    assertEquals(first.userId, again.userId)
                    assertEquals(device, again.deviceId)
                }
            }
            assertFailsWith<MxregException.InvalidArgument> { client.recoverRegistration(request) }
        }
    }
}
