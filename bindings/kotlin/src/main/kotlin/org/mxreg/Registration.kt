package org.mxreg

import com.sun.jna.Pointer
import org.mxreg.raw.LoadedLibrary

/**
 * A newly created account. The tokens stay in native memory until read and
 * are wiped when the native handle is freed: close this (`use { }`) once
 * the app has stored them. One from [Signup.registration] is a view of its
 * session and lives until the session closes. Reading after either is
 * closed throws [IllegalStateException]. Safe to read from several threads.
 */
public class Registration private constructor(owned: Pointer?, borrowed: HandleAccess?) : AutoCloseable {
    /** Takes ownership of a `mxreg_registration` (from `mxreg_client_register`). */
    internal constructor(owned: Pointer) : this(owned, null)

    /** A view of a registration owned by a parent handle (a signup session). */
    internal constructor(borrowed: BorrowedHandle) : this(null, borrowed)

    private val lib = LoadedLibrary.library
    private val handle: HandleAccess =
        borrowed ?: NativeHandle(this, "registration", requireNotNull(owned), lib::mxreg_registration_free)

    /** The full user ID, e.g. `@alice:example.org`. */
    public val userId: String

    /** The device ID, or null with `inhibitLogin`. */
    public val deviceId: String?

    /** Lifetime of the access token in ms as the server gave it, or null when it does not expire. */
    public val expiresInMs: Long?

    /** When the access token expires, in ms since the Unix epoch, or null when it does not expire. */
    public val expiresAtMs: Long?

    init {
        try {
            userId = handle.read { lib.mxreg_registration_user_id(it) }
                ?: throw IllegalStateException("libmxreg returned a registration without a user ID")
            deviceId = handle.read { lib.mxreg_registration_device_id(it) }
            expiresInMs = handle.read { lib.mxreg_registration_expires_in_ms(it) }.takeIf { it >= 0 }
            expiresAtMs = handle.read { lib.mxreg_registration_expires_at_ms(it) }.takeIf { it >= 0 }
        } catch (err: Throwable) {
            handle.close()
            throw err
        }
    }

    /** The localpart of [userId] (`alice` for `@alice:example.org`). */
    public val localpart: String get() = userId.substring(1, userId.indexOf(':').takeIf { it > 0 } ?: userId.length)

    /** The access token (a secret: never log it), or null with `inhibitLogin`. */
    public val accessToken: String? get() = handle.read { lib.mxreg_registration_access_token(it) }

    /** The refresh token (a secret), or null when none was asked for or the server issues none. */
    public val refreshToken: String? get() = handle.read { lib.mxreg_registration_refresh_token(it) }

    public val isClosed: Boolean get() = handle.isClosed

    /** Wipe the tokens and free the native handle (a view: end the view); safe to call twice. */
    override fun close(): Unit = handle.close()

    override fun toString(): String =
        "Registration(userId=$userId, deviceId=$deviceId, expiresInMs=$expiresInMs, tokens=<redacted>)"
}
