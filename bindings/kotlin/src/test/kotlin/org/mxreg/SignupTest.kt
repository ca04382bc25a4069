package org.mxreg

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.extension.ExtendWith
import org.mxreg.Servers.PASSWORD
import org.mxreg.Servers.client
import org.mxreg.Servers.retryingRateLimits
import org.mxreg.Servers.uniqueUsername
import kotlin.test.assertFailsWith
import kotlin.test.assertNotNull

/** The registration session (`Client.signup`) through every stage the variants offer. */
@ExtendWith(NoLeakedHandles::class)
class SignupTest {
    private fun Signup.startPatiently() = retryingRateLimits { start() }

    /** A session for a new user (named after [prefix]) on [variant]: [block] gets the client, the session and the name. */
    private fun newSignup(
        variant: String,
        prefix: String,
        stages: Set<Stage> = emptySet(),
        block: (client: Client, signup: Signup, name: String) -> Unit,
    ) {
        val name = uniqueUsername(prefix)
        client(variant).use { client -> client.signup(RegisterRequest(name, PASSWORD), stages).use { block(client, it, name) } }
    }

    @Test
    fun anOpenServerCompletesOnStartWithTheDummyStage() {
        val name = uniqueUsername("sopen")
        client("open").use { client ->
            client.signup(RegisterRequest(name, PASSWORD)).use { signup ->
                assertEquals(SignupState.NOT_STARTED, signup.status)
                assertNull(signup.registration)
                signup.startPatiently()
                assertEquals(SignupState.COMPLETE, signup.status)
                val registration = signup.requireRegistration()
                assertEquals("@$name:localhost", registration.userId)
                val token = assertNotNull(registration.accessToken)
                assertEquals(registration.userId, Servers.whoami("open", token))
                signup.close()
                assertFailsWith<IllegalStateException> { registration.accessToken }
                assertFailsWith<IllegalStateException> { signup.status }
            }
        }
    }

    @Test
    fun aWrongRegistrationTokenIsRejectedThenAValidOneAccepted() {
        newSignup("token", "stok", setOf(Stage.REGISTRATION_TOKEN)) { client, signup, name ->
            signup.startPatiently()
            assertEquals(SignupState.NEEDS_STAGE, signup.status)
            assertEquals(AuthStage.REGISTRATION_TOKEN, signup.nextStage)
            assertTrue(client.registrationTokenValid(Servers.createRegistrationToken()))

            val err = assertFailsWith<MxregException.StageRejected> { signup.submitToken("wrong-token") }
            assertEquals(SignupState.NEEDS_STAGE, signup.status, "the session stays usable: $err")
            signup.submitToken(Servers.createRegistrationToken(usesAllowed = 1))
            assertEquals(SignupState.COMPLETE, signup.status)
            assertEquals("@$name:localhost", signup.requireRegistration().userId)
        }
    }

    /** Tokens named like words of the server's answer: hiding them from errors keeps the flows as sent. */
    @Test
    fun tokensNamedLikePartsOfTheAnswerCompleteRegistration() {
        client("token").use { client ->
            for (name in listOf("login", "token", "dummy", "registration")) {
                val token = Servers.rig("token-create", "token", "--token", name, "--exist-ok")
                client.signup(RegisterRequest(uniqueUsername("sname"), PASSWORD), setOf(Stage.REGISTRATION_TOKEN)).use { signup ->
                    signup.startPatiently()
                    signup.submitToken(token)
                    assertEquals(SignupState.COMPLETE, signup.status, "token $name")
                }
            }
        }
    }

    /**
     * A server that mails a code and gives a `submit_url` (the spec's example requestToken answer,
     * replayed by tests/standin/email_code_server.py on loopback): the code goes there.
     */
    @Test
    fun anEmailCodeGoesToTheSubmitUrl() {
        val url = Servers.python("tests/standin/email_code_server.py", "--detach")
        try {
            Client(url).use { client ->
                client.signup(RegisterRequest("scripted", PASSWORD), setOf(Stage.EMAIL)).use { signup ->
                    signup.start()
                    assertNull(signup.emailSubmitUrl)
                    signup.requestEmailToken("alice@example.org")
                    assertEquals("$url/path/to/submitToken", signup.emailSubmitUrl)
                    assertFailsWith<MxregException.InvalidState> { signup.checkEmail() }
                    assertFailsWith<MxregException.StageRejected> { signup.submitEmailCode("000000") }
                    signup.submitEmailCode("654321")
                    assertEquals(SignupState.COMPLETE, signup.status)
                }
            }
        } finally {
            Servers.http("GET", "$url/stop")
        }
    }

    @Test
    fun flowsWithUnsupportedStagesAreRefusedWithTheirNames() {
        newSignup("token", "sunsup") { _, signup, _ ->
            val err = assertFailsWith<MxregException.UnsupportedFlow> { signup.startPatiently() }
            assertTrue(err.message!!.contains(AuthStage.REGISTRATION_TOKEN), err.message)
        }
    }

    @Test
    fun theTermsStageListsThePoliciesAndCompletesOnAcceptance() {
        newSignup("terms", "sterms", setOf(Stage.TERMS)) { _, signup, name ->
            signup.startPatiently()
            assertEquals(AuthStage.TERMS, signup.nextStage)
            val policies = signup.policies()
            assertEquals(1, policies.size, policies.toString())
            assertEquals("1.0", policies[0].version)
            assertTrue(policies[0].url.startsWith("http"), policies[0].url)
            assertTrue(signup.authInfo!!.paramsJson.contains(policies[0].url.substringBefore('?')))
            signup.acceptTerms()
            assertEquals(SignupState.COMPLETE, signup.status)
            assertEquals("@$name:localhost", signup.requireRegistration().userId)
        }
    }

    @Test
    fun fallbackSupportCoversAnyStageAndGivesThePage() {
        newSignup("terms", "sfall", setOf(Stage.FALLBACK)) { _, signup, _ ->
            signup.startPatiently()
            val url = assertNotNull(signup.fallbackUrl)
            assertTrue(url.contains("/auth/m.login.terms/fallback/web?session="), url)
            assertEquals(200, Servers.http("GET", url).first, "Synapse serves the page")
            // Acknowledged before the page was completed: the stage is still pending.
            assertFailsWith<MxregException.StageRejected> { signup.fallbackDone() }
            assertEquals(SignupState.NEEDS_STAGE, signup.status)
        }
    }

    @Test
    fun theEmailStageSurvivesARestartBetweenTheMailAndTheClick() {
        val name = uniqueUsername("smail")
        val address = "$name@example.org"
        val saved = client("email").use { client ->
            client.signup(RegisterRequest(name, PASSWORD), setOf(Stage.EMAIL)).use { signup ->
                signup.startPatiently()
                assertEquals(AuthStage.EMAIL_IDENTITY, signup.nextStage)
                assertFailsWith<MxregException.InvalidState> { signup.checkEmail() }
                signup.requestEmailToken(address)
                assertFalse(signup.checkEmail(), "not validated yet")
                signup.save().also { assertFalse(it.isEmpty()) }
            }
        }
        // The app was killed; the user follows the link in the mail.
        val link = Servers.rig("mail-link", "email", "--to", address, "--timeout", "20")
        assertEquals(200, Servers.http("GET", link).first, "following the mail link as a person would")

        client("email").use { client ->
            client.restoreSignup(saved).use { resumed ->
                assertTrue(resumed.checkEmail())
                assertEquals(SignupState.COMPLETE, resumed.status)
                assertEquals("@$name:localhost", resumed.requireRegistration().userId)
            }
        }
    }

    @Test
    fun aClosedServerFailsTheSessionWithForbidden() {
        newSignup("closed", "sclosed", Stage.ALL) { _, signup, _ ->
            assertFailsWith<MxregException.Forbidden> { signup.startPatiently() }
            assertEquals(SignupState.FAILED, signup.status)
        }
    }

    @Test
    fun callsOutOfOrderAreInvalidState() {
        newSignup("terms", "sorder", setOf(Stage.TERMS)) { _, signup, _ ->
            assertFailsWith<MxregException.InvalidState> { signup.acceptTerms() }
            signup.startPatiently()
            assertFailsWith<MxregException.InvalidState> { signup.start() }
            assertFailsWith<MxregException.InvalidState> { signup.submitToken("x") }
        }
    }

    @Test
    fun anUnknownSessionIsReportedAsExpired() {
        client("terms").use { client ->
            val saved = client.signup(RegisterRequest(uniqueUsername("sgone"), PASSWORD), setOf(Stage.TERMS)).use { signup ->
                signup.startPatiently()
                val session = assertNotNull(signup.authInfo?.session)
                signup.save().replace(session, "nosuchsession")
            }
            client.restoreSignup(saved).use { restored ->
                assertFailsWith<MxregException.SessionExpired> { restored.acceptTerms() }
                assertEquals(SignupState.FAILED, restored.status)
            }
        }
    }

    @Test
    fun aSavedSessionIsRefusedAfterTamperingAndSecretsStayOutOfToString() {
        client("open").use { client ->
            assertFailsWith<MxregException.InvalidArgument> { client.restoreSignup("{not json") }
            client.signup(RegisterRequest(uniqueUsername("ssecret"), PASSWORD)).use { signup ->
                assertFalse(signup.toString().contains(PASSWORD))
            }
        }
    }
}
