package org.mxreg

import com.sun.jna.Pointer
import com.sun.jna.ptr.PointerByReference
import org.mxreg.raw.LoadedLibrary

/**
 * A device authorization (RFC 8628) in progress, for apps without a
 * browser: show the user [userCode] and [verificationUri] (or
 * [verificationUriComplete] as a QR code), then [poll] every [intervalMs]
 * or [await]. Close it when done (it wipes the device code).
 */
public class OAuthDeviceAuthorization internal constructor(pointer: Pointer) : AutoCloseable {
    private val lib = LoadedLibrary.library
    private val handle = NativeHandle(this, "OAuth device authorization", pointer, lib::mxreg_oauth_device_authorization_free)

    /** The code the user enters at [verificationUri]. */
    public val userCode: String = handle.read { lib.mxreg_oauth_device_authorization_user_code(it) } ?: ""
    public val verificationUri: String = handle.read { lib.mxreg_oauth_device_authorization_verification_uri(it) } ?: ""

    /** The URI with the code in it, or null when the server gives none. */
    public val verificationUriComplete: String? =
        handle.read { lib.mxreg_oauth_device_authorization_verification_uri_complete(it) }

    /** The device ID the new session will have. */
    public val deviceId: String = handle.read { lib.mxreg_oauth_device_authorization_device_id(it) } ?: ""

    /** When the user code expires, in ms since the Unix epoch. */
    public val expiresAtMs: Long = handle.read { lib.mxreg_oauth_device_authorization_expires_at_ms(it) }

    /** The wait between polls in ms (longer after a `slow_down`). */
    public val intervalMs: Long get() = handle.read { lib.mxreg_oauth_device_authorization_interval_ms(it) }

    /**
     * Ask once whether the user has decided. Throws
     * [MxregException.OAuthAuthorizationPending] (not yet: poll again after
     * [intervalMs]), [MxregException.OAuthAccessDenied] (refused) or
     * [MxregException.OAuthExpiredToken] (start anew). Blocks for one request.
     */
    @Throws(MxregException::class)
    public fun poll(): Registration = finish { authorization, out, error ->
        lib.mxreg_oauth_device_authorization_poll(authorization, out, error)
    }

    /**
     * Poll until the user decides or the code expires; blocks up to
     * [expiresAtMs] and cannot be interrupted ([poll] keeps the app in
     * control). Throws as [poll], never `OAuthAuthorizationPending`.
     */
    @Throws(MxregException::class)
    public fun await(): Registration = finish { authorization, out, error ->
        lib.mxreg_oauth_device_authorization_wait(authorization, out, error)
    }

    private fun finish(step: (Pointer, PointerByReference, PointerByReference) -> Int): Registration {
        val registrationOut = PointerByReference()
        handle.read { authorization -> checked { step(authorization, registrationOut, it) } }
        return Registration(registrationOut.value)
    }

    public val isClosed: Boolean get() = handle.isClosed

    /** Free the authorization and wipe its device code. Safe to call twice. */
    override fun close(): Unit = handle.close()

    override fun toString(): String = if (isClosed) "OAuthDeviceAuthorization(closed)" else "OAuthDeviceAuthorization($userCode, $deviceId)"
}
