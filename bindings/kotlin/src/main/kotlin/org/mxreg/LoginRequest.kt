package org.mxreg

import org.mxreg.raw.LoadedLibrary
import org.mxreg.raw.MxregLoginRequest

/**
 * One `POST /login`: with a password ([password]) or with a single-use
 * login token ([token]). Both log in to an existing account and give the
 * same [Registration] a registration gives. [toString] hides the secrets.
 */
public class LoginRequest private constructor(
    private val user: String?,
    private val password: String?,
    private val loginToken: String?,
    /** A device ID to reuse; null lets the server generate one. */
    public val deviceId: String?,
    /** Display name of a new device. */
    public val initialDeviceDisplayName: String?,
    /** Ask for a refresh token. */
    public val refreshToken: Boolean,
) {
    public companion object {
        /** `m.login.password`: [user] is a localpart or a full user ID. */
        public fun password(
            user: String,
            password: String,
            deviceId: String? = null,
            initialDeviceDisplayName: String? = null,
            refreshToken: Boolean = true,
        ): LoginRequest = LoginRequest(user, password, null, deviceId, initialDeviceDisplayName, refreshToken)

        /** `m.login.token`: e.g. the `loginToken` an SSO redirect brings back. */
        public fun token(
            loginToken: String,
            deviceId: String? = null,
            initialDeviceDisplayName: String? = null,
            refreshToken: Boolean = true,
        ): LoginRequest = LoginRequest(null, null, loginToken, deviceId, initialDeviceDisplayName, refreshToken)
    }

    override fun toString(): String =
        "LoginRequest(user=$user, password=${redacted(password)}, loginToken=${redacted(loginToken)}, " +
            "deviceId=$deviceId, initialDeviceDisplayName=$initialDeviceDisplayName, refreshToken=$refreshToken)"

    /** The C struct, from `mxreg_login_request_init` with every field written over it; its strings live in [strings]. */
    internal fun toRaw(strings: NativeStrings): MxregLoginRequest {
        val raw = MxregLoginRequest().also(LoadedLibrary.library::mxreg_login_request_init)
        raw.user = strings.put("user", user)
        raw.password = strings.put("password", password)
        raw.login_token = strings.put("loginToken", loginToken)
        raw.device_id = strings.put("deviceId", deviceId)
        raw.initial_device_display_name = strings.put("initialDeviceDisplayName", initialDeviceDisplayName)
        raw.refresh_token = if (refreshToken) 1 else 0
        return raw
    }
}
