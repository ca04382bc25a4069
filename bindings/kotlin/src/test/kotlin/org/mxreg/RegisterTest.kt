package org.mxreg

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.extension.ExtendWith
import org.mxreg.Servers.PASSWORD
import org.mxreg.Servers.client
import org.mxreg.Servers.registerWithDummy
import org.mxreg.Servers.retryingRateLimits
import org.mxreg.Servers.uniqueUsername
import kotlin.test.assertFailsWith
import kotlin.test.assertNotNull
import kotlin.time.Duration.Companion.seconds

/** One-shot `POST /register` (`Client.register`) against the Synapse variants. */
@ExtendWith(NoLeakedHandles::class)
class RegisterTest {
    @Test
    fun dummyStageRegistrationTakesTwoRequests() {
        val name = uniqueUsername("ok")
        client("open").use { client ->
            val request = RegisterRequest(name, PASSWORD, initialDeviceDisplayName = "kotlin test")
            val challenge = assertFailsWith<MxregException.AuthRequired> { retryingRateLimits { client.register(request) } }
            assertEquals(listOf(listOf(AuthStage.DUMMY)), challenge.authInfo.flows)
            assertEquals(401, challenge.httpStatus)
            val session = assertNotNull(challenge.authInfo.session)
            retryingRateLimits { client.register(request.withAuth(Auth.dummy(session))) }.use { registration ->
                assertEquals("@$name:localhost", registration.userId)
                assertEquals(name, registration.localpart)
                assertNotNull(registration.deviceId)
                val token = assertNotNull(registration.accessToken)
                assertNotNull(registration.refreshToken)
                assertTrue(registration.expiresInMs!! > 0)
                assertTrue(registration.expiresAtMs!! > System.currentTimeMillis())
                assertEquals(registration.userId, Servers.whoami("open", token))
                assertFalse(registration.toString().contains(token), "toString leaks the token")
            }
        }
    }

    @Test
    fun aTakenUsernameIsUserInUse() {
        val name = uniqueUsername("taken")
        client("open").use { client ->
            registerWithDummy(client, RegisterRequest(name, PASSWORD)).close()
            val err = assertFailsWith<MxregException.UserInUse> { registerWithDummy(client, RegisterRequest(name, PASSWORD)) }
            assertEquals("M_USER_IN_USE", err.errcode)
            assertEquals(400, err.httpStatus)
            assertEquals("MXREG_RESULT_USER_IN_USE", err.codeName)
            assertFalse(err.toString().contains(PASSWORD))
        }
    }

    @Test
    fun anInvalidUsernameIsRefusedByTheServer() {
        client("open").use { client ->
            val err = assertFailsWith<MxregException.InvalidUsername> {
                registerWithDummy(client, RegisterRequest("_${uniqueUsername("under")}", PASSWORD))
            }
            assertEquals("M_INVALID_USERNAME", err.errcode)
        }
    }

    @Test
    fun aWeakPasswordIsRefusedWithTheServersReason() {
        client("open").use { client ->
            val err = assertFailsWith<MxregException.WeakPassword> {
                registerWithDummy(client, RegisterRequest(uniqueUsername("weak"), "a1"))
            }
            assertEquals("M_PASSWORD_TOO_SHORT", err.errcode)
        }
    }

    @Test
    fun inhibitLoginCreatesTheAccountWithoutTokens() {
        val name = uniqueUsername("inhibit")
        client("open").use { client ->
            registerWithDummy(client, RegisterRequest(name, PASSWORD, inhibitLogin = true)).use { registration ->
                assertEquals("@$name:localhost", registration.userId)
                assertNull(registration.accessToken)
                assertNull(registration.deviceId)
                assertNull(registration.expiresInMs)
            }
            assertFailsWith<MxregException.UserInUse> { registerWithDummy(client, RegisterRequest(name, PASSWORD)) }
        }
    }

    @Test
    fun anApplicationServiceRegistersWithInhibitLogin() {
        val name = "mxregbot_" + uniqueUsername("as") // the rig's service owns @mxregbot_*
        client("open").use { client ->
            val request = RegisterRequest(name, appserviceToken = System.getenv("MXREG_HS_OPEN_APPSERVICE_TOKEN"))
            client.register(request).use { registration ->
                assertEquals("@$name:localhost", registration.userId)
                // inhibit_login is always sent for an application service (spec v1.17).
                assertNull(registration.accessToken)
                assertNull(registration.deviceId)
            }
        }
    }

    @Test
    fun noRefreshTokenUnlessAskedAndACustomDeviceIsUsed() {
        client("open").use { client ->
            val request = RegisterRequest(uniqueUsername("norefresh"), PASSWORD, deviceId = "KOTLINDEV", refreshToken = false)
            registerWithDummy(client, request).use { registration ->
                assertNull(registration.refreshToken)
                assertNull(registration.expiresInMs)
                assertEquals("KOTLINDEV", registration.deviceId)
                assertNotNull(registration.accessToken)
            }
        }
    }

    @Test
    fun aClosedServerForbidsRegistration() {
        client("closed").use { client ->
            val err = assertFailsWith<MxregException.Forbidden> {
                registerWithDummy(client, RegisterRequest(uniqueUsername("closed"), PASSWORD))
            }
            assertEquals(403, err.httpStatus)
            assertEquals("M_FORBIDDEN", err.errcode)
        }
    }

    /**
     * A registration of a new user on [variant] that the server answered
     * with user-interactive auth: [block] gets the client, the request (with
     * no `auth`) and that first answer.
     */
    private fun afterFirstAnswer(
        variant: String,
        prefix: String,
        block: (Client, RegisterRequest, MxregException.AuthRequired) -> Unit,
    ) {
        client(variant).use { client ->
            val request = RegisterRequest(uniqueUsername(prefix), PASSWORD)
            block(client, request, assertFailsWith { retryingRateLimits { client.register(request) } })
        }
    }

    @Test
    fun theRegistrationTokenStagesOneAtATime() {
        afterFirstAnswer("token", "tok") { client, request, first ->
            val name = request.username
            val flow = assertNotNull(first.authInfo.firstFlowWithin(setOf(AuthStage.REGISTRATION_TOKEN, AuthStage.DUMMY)))
            assertEquals(listOf(AuthStage.REGISTRATION_TOKEN, AuthStage.DUMMY), flow)
            val session = first.authInfo.session

            val wrong = assertFailsWith<MxregException.AuthRequired> {
                client.register(request.withAuth(Auth.registrationToken("not-a-token", session)))
            }
            assertEquals("M_UNAUTHORIZED", wrong.errcode)
            assertEquals(emptyList<String>(), wrong.authInfo.completed)

            val token = Servers.createRegistrationToken(usesAllowed = 1)
            val afterToken = assertFailsWith<MxregException.AuthRequired> {
                client.register(request.withAuth(Auth.registrationToken(token, session)))
            }
            assertEquals(listOf(AuthStage.REGISTRATION_TOKEN), afterToken.authInfo.completed)
            assertEquals(listOf(AuthStage.DUMMY), afterToken.authInfo.remaining(flow))

            client.register(request.withAuth(Auth.dummy(session))).use { registration ->
                assertEquals("@$name:localhost", registration.userId)
            }
        }
    }

    @Test
    fun theTermsAndDummyStagesCompleteAFlow() {
        afterFirstAnswer("terms", "terms") { client, request, first ->
            val name = request.username
            assertEquals(listOf(listOf(AuthStage.TERMS, AuthStage.DUMMY)), first.authInfo.flows)
            assertTrue(first.authInfo.paramsJson.contains("m.login.terms"), first.authInfo.paramsJson)
            val session = first.authInfo.session
            assertFailsWith<MxregException.AuthRequired> { client.register(request.withAuth(Auth.terms(session))) }
            client.register(request.withAuth(Auth.dummy(session))).use { assertEquals("@$name:localhost", it.userId) }
        }
    }

    @Test
    fun theRateLimitedServerSaysHowLongToWaitAndCanBeWaitedOut() {
        client("ratelimit").use { quick ->
            var limited: MxregException.RateLimited? = null
            for (i in 0 until 6) {
                try {
                    quick.register(RegisterRequest(uniqueUsername("rl"), PASSWORD, auth = Auth.dummy(null))).close()
                } catch (err: MxregException.RateLimited) {
                    limited = err
                    break
                }
            }
            val err = assertNotNull(limited, "the ratelimit variant allows a burst of 2")
            assertEquals(429, err.httpStatus)
            assertEquals("M_LIMIT_EXCEEDED", err.errcode)
            val delay = assertNotNull(err.retryAfterMs)
            assertTrue(delay in 1..20_000, "retry after $delay ms")
        }
        client("ratelimit", ClientOptions(rateLimitMaxWait = 30.seconds)).use { patient ->
            val name = uniqueUsername("rlwait")
            patient.register(RegisterRequest(name, PASSWORD, auth = Auth.dummy(null))).use {
                assertEquals("@$name:localhost", it.userId)
            }
        }
    }

    @Test
    fun aGuestIsUpgradedKeepingItsUserId() {
        client("open").use { client ->
            retryingRateLimits { client.registerGuest() }.use { guest ->
                assertTrue(guest.localpart.all(Char::isDigit), "guests get numeric IDs: ${guest.userId}")
                assertNotNull(guest.accessToken)
                val upgrade = RegisterRequest.upgradingGuest(guest, PASSWORD)
                assertFalse(upgrade.toString().contains(guest.accessToken!!), "toString leaks the guest token")
                registerWithDummy(client, upgrade).use { upgraded ->
                    assertEquals(guest.userId, upgraded.userId)
                    assertNotNull(upgraded.accessToken)
                }
            }
            val bad = RegisterRequest(uniqueUsername("badguest"), PASSWORD, guestAccessToken = "not-a-guest-token")
            val err = assertFailsWith<MxregException.Server> { registerWithDummy(client, bad) }
            assertTrue(err is MxregException.UnknownToken || err is MxregException.MatrixError, err.toString())
        }
    }

    @Test
    fun plainHttpToARemoteHostIsRefusedBeforeAnyRequest() {
        val err = assertFailsWith<MxregException.InsecureUrl> { Client("http://matrix.example.org") }
        assertNull(err.httpStatus)
        Client("http://matrix.example.org", ClientOptions(allowInsecureHttp = true)).use {
            assertEquals("http://matrix.example.org", it.homeserverUrl)
        }
    }
}
