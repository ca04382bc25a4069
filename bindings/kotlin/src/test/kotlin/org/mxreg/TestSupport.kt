package org.mxreg

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.extension.AfterEachCallback
import org.junit.jupiter.api.extension.ExtensionContext
import java.io.File
import java.net.HttpURLConnection
import java.net.URI
import java.util.concurrent.TimeUnit
import java.util.concurrent.atomic.AtomicInteger

/** The local Synapse variants and helpers shared by the suites. */
object Servers {
    const val PASSWORD = "kotlin-Passw0rd-test"
    private val counter = AtomicInteger()

    /** `MXREG_HS_<VARIANT>` (the rig's `env` prints them). */
    fun url(variant: String): String = System.getenv("MXREG_HS_${variant.uppercase()}")
        ?: error("MXREG_HS_${variant.uppercase()} is not set: run `make test-kotlin`, or export `scripts/homeserver.py env`")

    private fun adminToken(variant: String): String = System.getenv("MXREG_HS_${variant.uppercase()}_ADMIN_TOKEN")
        ?: error("MXREG_HS_${variant.uppercase()}_ADMIN_TOKEN is not set")

    /** A localpart no other test or engineer uses (the servers are shared). */
    fun uniqueUsername(prefix: String): String =
        "kt$prefix${ProcessHandle.current().pid()}x${System.currentTimeMillis() % 100_000_000}x${counter.incrementAndGet()}"

    fun client(variant: String, options: ClientOptions = ClientOptions()): Client = Client(url(variant), options)

    /** Run [call], waiting out 429s from the shared servers (the ratelimit variant's tests do not use this). */
    fun <T> retryingRateLimits(call: () -> T): T {
        repeat(8) {
            try {
                return call()
            } catch (limited: MxregException.RateLimited) {
                Thread.sleep(limited.retryAfterMs ?: 1000)
            }
        }
        return call()
    }

    /** One-shot registration, completing dummy stages (as examples/Register.kt does). */
    fun registerWithDummy(client: Client, request: RegisterRequest): Registration {
        var attempt = request
        repeat(4) {
            try {
                return retryingRateLimits { client.register(attempt) }
            } catch (challenge: MxregException.AuthRequired) {
                if (challenge.authInfo.firstFlowWithin(setOf(AuthStage.DUMMY)) == null) throw challenge
                attempt = attempt.withAuth(Auth.dummy(challenge.authInfo.session))
            }
        }
        return client.register(attempt)
    }

    /** A registration token made with the admin API on the token variant. */
    fun createRegistrationToken(usesAllowed: Int? = null): String {
        val body = if (usesAllowed == null) "{}" else "{\"uses_allowed\":$usesAllowed}"
        val (status, answer) = http(
            "POST",
            url("token") + "/_synapse/admin/v1/registration_tokens/new",
            body,
            adminToken("token"),
        )
        assertEquals(200, status, answer)
        return Regex("\"token\"\\s*:\\s*\"([^\"]+)\"").find(answer)?.groupValues?.get(1)
            ?: error("no token in $answer")
    }

    /** `GET /account/whoami` with [accessToken]: the user ID it names, or null when refused. */
    fun whoami(variant: String, accessToken: String): String? {
        val (status, answer) = http("GET", url(variant) + "/_matrix/client/v3/account/whoami", null, accessToken)
        if (status != 200) return null
        return Regex("\"user_id\"\\s*:\\s*\"([^\"]+)\"").find(answer)?.groupValues?.get(1)
    }

    fun http(method: String, url: String, body: String? = null, bearer: String? = null): Pair<Int, String> {
        val connection = URI(url).toURL().openConnection() as HttpURLConnection
        try {
            connection.requestMethod = method
            connection.connectTimeout = 10_000
            connection.readTimeout = 30_000
            bearer?.let { connection.setRequestProperty("Authorization", "Bearer $it") }
            if (body != null) {
                connection.doOutput = true
                connection.setRequestProperty("Content-Type", "application/json")
                connection.outputStream.use { it.write(body.toByteArray()) }
            }
            val status = connection.responseCode
            val stream = if (status < 400) connection.inputStream else connection.errorStream
            return status to (stream?.bufferedReader()?.use { it.readText() } ?: "")
        } finally {
            connection.disconnect()
        }
    }

    /** Run the rig script (`scripts/homeserver.py`) and return its output. */
    fun rig(vararg args: String): String = python("scripts/homeserver.py", *args)

    /** Run a Python script of the repository (`-Dmxreg.repo`, else the working directory). */
    fun python(script: String, vararg args: String): String {
        val path = File(System.getProperty("mxreg.repo") ?: ".", script)
        require(path.isFile) { "'$path' not found (set -Dmxreg.repo to the repository)" }
        val process = ProcessBuilder(listOf("python3", path.path) + args).start()
        val errors = StringBuilder()
        val stderr = Thread { errors.append(process.errorStream.bufferedReader().readText()) }.apply { start() }
        val output = process.inputStream.bufferedReader().readText()
        check(process.waitFor(90, TimeUnit.SECONDS)) { "$script ${args.toList()} did not finish" }
        stderr.join()
        check(process.exitValue() == 0) { "$script failed (${process.exitValue()}): $errors" }
        return output.trim()
    }
}

/**
 * After each test, every native handle the binding opened is closed again
 * (a background native call may still be finishing: it gets a few seconds).
 */
class NoLeakedHandles : AfterEachCallback {
    override fun afterEach(context: ExtensionContext) {
        val deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10)
        while (Mxreg.liveHandles().isNotEmpty() && System.nanoTime() < deadline) Thread.sleep(50)
        assertEquals(emptyMap<String, Int>(), Mxreg.liveHandles(), "native handles left open by ${context.displayName}")
    }
}
