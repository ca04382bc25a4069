/*
 * Register: create a Matrix account through the mxreg Kotlin binding.
 *
 *   java -cp <mxreg.jar, jna.jar, kotlin-stdlib.jar, ...> org.mxreg.examples.RegisterKt \
 *       <homeserver-url> <username> <password>
 *
 * Completes the server's user-interactive auth when it only needs
 * m.login.dummy, then prints one JSON object with the user ID, device ID,
 * token lifetime and whether a refresh token came back (never the tokens).
 * On failure prints the result code, errcode and message to stderr, exits 1.
 * `make kotlin-example` runs it against the local open Synapse.
 */
package org.mxreg.examples

import org.mxreg.Auth
import org.mxreg.AuthStage
import org.mxreg.Client
import org.mxreg.MxregException
import org.mxreg.RegisterRequest
import org.mxreg.Registration
import kotlin.system.exitProcess

fun main(args: Array<String>) {
    if (args.size != 3) {
        System.err.println("usage: Register <homeserver-url> <username> <password>")
        exitProcess(2)
    }
    val (url, username, password) = args
    try {
        Client(url).use { client ->
            register(client, RegisterRequest(username, password, initialDeviceDisplayName = "mxreg Kotlin example"))
                .use { println(describe(it)) }
        }
    } catch (err: MxregException) {
        System.err.println("register: ${err.codeName} (${err.code})${err.errcode?.let { " $it" } ?: ""}: ${err.message}")
        exitProcess(1)
    }
}

/** Send the request; while the server asks for stages, complete a dummy-only flow. */
private fun register(client: Client, first: RegisterRequest): Registration {
    var request = first
    // The first answer usually lists the flows; one dummy stage completes the
    // simplest. Three attempts are more than enough.
    repeat(3) {
        try {
            return client.register(request)
        } catch (challenge: MxregException.AuthRequired) {
            val info = challenge.authInfo
            if (info.firstFlowWithin(setOf(AuthStage.DUMMY)) == null) {
                System.err.println("register: the server needs stages this example does not handle: ${info.flows}")
                throw challenge
            }
            request = request.withAuth(Auth.dummy(info.session))
        }
    }
    return client.register(request)
}

private fun describe(registration: Registration): String = buildString {
    append("{\"user_id\":\"").append(registration.userId).append('"')
    append(",\"device_id\":").append(registration.deviceId?.let { "\"$it\"" } ?: "null")
    append(",\"expires_in_ms\":").append(registration.expiresInMs ?: "null")
    append(",\"refresh_token\":").append(registration.refreshToken != null)
    append('}')
}
