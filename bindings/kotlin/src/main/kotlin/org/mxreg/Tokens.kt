package org.mxreg

import com.sun.jna.Pointer
import org.mxreg.raw.LoadedLibrary

/**
 * A refreshed token pair from [Client.refresh]. The tokens stay in native
 * memory until read and are wiped on [close]. Safe to read from several threads.
 */
public class Tokens internal constructor(pointer: Pointer) : AutoCloseable {
    private val lib = LoadedLibrary.library
    private val handle = NativeHandle(this, "tokens", pointer, lib::mxreg_tokens_free)

    /** Lifetime of the new access token in ms, or null when it does not expire. */
    public val expiresInMs: Long? = handle.read { lib.mxreg_tokens_expires_in_ms(it) }.takeIf { it >= 0 }

    /** Expiry of the new access token in ms since the Unix epoch, or null. */
    public val expiresAtMs: Long? = handle.read { lib.mxreg_tokens_expires_at_ms(it) }.takeIf { it >= 0 }

    /** The new access token (a secret). */
    public val accessToken: String
        get() = handle.read { lib.mxreg_tokens_access_token(it) }
            ?: throw IllegalStateException("libmxreg returned tokens without an access token")

    /** The refresh token to use next time, or null when the server kept the old one valid. */
    public val refreshToken: String? get() = handle.read { lib.mxreg_tokens_refresh_token(it) }

    public val isClosed: Boolean get() = handle.isClosed

    /** Wipe the tokens and free the native handle; safe to call twice. */
    override fun close(): Unit = handle.close()

    override fun toString(): String = "Tokens(expiresInMs=$expiresInMs, tokens=<redacted>)"
}
