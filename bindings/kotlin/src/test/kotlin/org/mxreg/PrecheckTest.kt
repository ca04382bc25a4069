package org.mxreg

import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.extension.ExtendWith
import org.mxreg.Servers.PASSWORD
import org.mxreg.Servers.client
import org.mxreg.Servers.registerWithDummy
import org.mxreg.Servers.uniqueUsername
import kotlin.test.assertFailsWith
import kotlin.time.Duration.Companion.seconds

/** Pre-checks: the local username grammar, availability and registration tokens on the server. */
@ExtendWith(NoLeakedHandles::class)
class PrecheckTest {
    @Test
    fun theUsernameGrammarIsCheckedLocally() {
        Mxreg.checkUsername("alice.smith-1")
        val upper = assertFailsWith<MxregException.InvalidArgument> { Mxreg.checkUsername("Alice") }
        assertTrue(upper.httpStatus == null && upper.message!!.isNotEmpty())
        assertFailsWith<MxregException.InvalidArgument> { Mxreg.checkUsername("bad name") }
        assertFailsWith<MxregException.InvalidArgument> { Mxreg.checkUsername("a".repeat(250), "example.org") }
        Mxreg.checkUsername("a".repeat(200))
    }

    @Test
    fun availabilityIsAskedOnTheServerAfterTheGrammar() {
        // Synapse allows about one availability call per second per IP.
        client("open", ClientOptions(rateLimitMaxWait = 20.seconds)).use { client ->
            val name = uniqueUsername("avail")
            assertTrue(client.usernameAvailable(name))
            registerWithDummy(client, RegisterRequest(name, PASSWORD)).close()
            assertFalse(client.usernameAvailable(name))
            assertFailsWith<MxregException.InvalidArgument> { client.usernameAvailable("Bad Name") }
            assertFailsWith<MxregException.InvalidUsername> { client.usernameAvailable("_reserved") }
        }
    }

    @Test
    fun registrationTokensAreCheckedOnTheServer() {
        client("token").use { client ->
            assertTrue(client.registrationTokenValid(Servers.createRegistrationToken()))
            assertFalse(client.registrationTokenValid("doesnotexist"))
        }
        client("closed").use { client ->
            assertFailsWith<MxregException.Forbidden> { client.registrationTokenValid("anything") }
        }
    }
}
