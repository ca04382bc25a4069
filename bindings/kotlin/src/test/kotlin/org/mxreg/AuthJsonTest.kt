package org.mxreg

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Test

/** The `auth` objects the binding writes itself (no JSON library on Android's JVM side). */
class AuthJsonTest {
    @Test
    fun stagesAreWrittenAsTheSpecSaysWithNullsLeftOut() {
        assertEquals("""{"type":"m.login.dummy","session":"s1"}""", Auth.dummy("s1").json)
        assertEquals("""{"type":"m.login.dummy"}""", Auth.dummy(null).json)
        assertEquals("""{"type":"m.login.registration_token","token":"t","session":"s"}""", Auth.registrationToken("t", "s").json)
        assertEquals(
            """{"type":"m.login.email.identity","threepid_creds":{"sid":"12","client_secret":"cs"},"session":"s"}""",
            Auth.emailIdentity("12", "cs", "s").json,
        )
    }

    @Test
    fun stringsAreEscaped() {
        assertEquals("\"a\\\"b\\\\c\\n\\u0001\u00e9\"", Json.string("a\"b\\c\n\u0001\u00e9"))
        assertFalse(Auth.registrationToken("secret-token", null).toString().contains("secret-token"))
    }
}
