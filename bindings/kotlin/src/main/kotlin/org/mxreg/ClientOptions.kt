package org.mxreg

import org.mxreg.raw.LoadedLibrary
import org.mxreg.raw.MxregClientOptions
import org.mxreg.raw.MxregResult
import kotlin.time.Duration

/**
 * Connection settings for a [Client]; null means the library's default
 * (10 s to connect, 30 s per request, 60 s per call, 1 MiB per answer). Timeouts always
 * exist, and they are what bounds a blocking call: see [Client].
 */
public class ClientOptions(
    /** `User-Agent` header; null means `mxreg/<version>`. */
    public val userAgent: String? = null,
    /** DNS, connection and TLS handshake timeout (1 ms to 49 days). */
    public val connectTimeout: Duration? = null,
    /** Timeout for sending a request and receiving the whole answer (1 ms to 49 days). */
    public val requestTimeout: Duration? = null,
    /** Cap on a response body in bytes; larger answers fail with `BodyTooLarge`. */
    public val maxResponseBytes: Long? = null,
    /** Allow plain `http://` to hosts other than loopback (never in production). */
    public val allowInsecureHttp: Boolean = false,
    /**
     * When the server rate-limits a call, wait as it asks and retry while
     * the total wait stays within this; null returns `RateLimited` at once.
     */
    public val rateLimitMaxWait: Duration? = null,
    /**
     * PEM certificates to trust for https *instead of* the system's (a
     * private CA); null means the platform's verifier and trust store (on
     * Android after its initialisation, see the README). Verification is never off.
     */
    public val caPem: String? = null,
    /**
     * The bound on a whole call, however many requests it sends (the probe,
     * OAuth discovery and completion, retries); rate-limit waits add to it.
     * Null means the default (60 s).
     */
    public val callTimeout: Duration? = null,
) {
    override fun toString(): String =
        "ClientOptions(userAgent=$userAgent, connectTimeout=$connectTimeout, requestTimeout=$requestTimeout, " +
            "maxResponseBytes=$maxResponseBytes, allowInsecureHttp=$allowInsecureHttp, " +
            "rateLimitMaxWait=$rateLimitMaxWait, caPem=${if (caPem == null) "null" else "<${caPem.length} chars>"}, " +
            "callTimeout=$callTimeout)"

    /** The C struct, from `mxreg_client_options_init` with the set fields written over it; its strings live in [strings]. */
    internal fun toRaw(strings: NativeStrings): MxregClientOptions {
        val raw = MxregClientOptions().also(LoadedLibrary.library::mxreg_client_options_init)
        userAgent?.let { raw.user_agent = strings.put("userAgent", it) }
        connectTimeout?.let { raw.connect_timeout_ms = millisAsUInt32("connectTimeout", it) }
        requestTimeout?.let { raw.request_timeout_ms = millisAsUInt32("requestTimeout", it) }
        maxResponseBytes?.let {
            if (it <= 0) throw localError(MxregResult.INVALID_ARGUMENT, "maxResponseBytes must be positive")
            raw.max_response_bytes = it
        }
        raw.allow_insecure_http = if (allowInsecureHttp) 1 else 0
        rateLimitMaxWait?.let { raw.rate_limit_max_wait_ms = millisAsUInt32("rateLimitMaxWait", it, minimum = 0) }
        caPem?.let { raw.ca_pem = strings.put("caPem", it) }
        callTimeout?.let { raw.call_timeout_ms = millisAsUInt32("callTimeout", it) }
        return raw
    }

    private fun millisAsUInt32(name: String, value: Duration, minimum: Long = 1): Int {
        val millis = value.inWholeMilliseconds
        if (millis < minimum || millis > 0xFFFF_FFFFL) {
            throw localError(MxregResult.INVALID_ARGUMENT, "$name must be between $minimum ms and 2^32-1 ms, got $value")
        }
        return millis.toInt() // the C side reads it as uint32_t
    }
}
