package org.mxreg

import org.mxreg.raw.MxregAccountKind
import org.mxreg.raw.LoadedLibrary
import org.mxreg.raw.MxregRegisterRequest

/** The `kind` of account to register. */
public enum class AccountKind(internal val raw: Int) {
    /** A normal user account. */
    USER(MxregAccountKind.USER),

    /** A guest account: no username or password (the server must allow guests). */
    GUEST(MxregAccountKind.GUEST),
}

/**
 * One `POST /register` attempt. Send [username] and [password] with every
 * attempt of a UIA session (Synapse keeps them from the first), plus the
 * [auth] that completes the next stage. [toString] hides the secrets.
 */
public class RegisterRequest(
    /** The desired localpart (`alice` for `@alice:server`); null lets the server choose. */
    public val username: String? = null,
    /** The password (a secret). */
    public val password: String? = null,
    /** The stage to complete with this attempt; null for the first one. */
    public val auth: Auth? = null,
    /** A device ID to use; null lets mxreg choose one (the registration, or an `OutcomeUnknown`'s `deviceId`, gives it). */
    public val deviceId: String? = null,
    /** Display name of the new device. */
    public val initialDeviceDisplayName: String? = null,
    /** Create the account without logging in: no access token or device. */
    public val inhibitLogin: Boolean = false,
    /** Ask for a refresh token. */
    public val refreshToken: Boolean = true,
    public val kind: AccountKind = AccountKind.USER,
    /** Upgrade a guest: its access token (with the guest's localpart as [username]). */
    public val guestAccessToken: String? = null,
    /** Register as an application service with its `as_token` (always with `inhibit_login`: no tokens come back). */
    public val appserviceToken: String? = null,
) {
    /** The same request with another [auth] (the next UIA stage). */
    public fun withAuth(auth: Auth?): RegisterRequest = RegisterRequest(
        username, password, auth, deviceId, initialDeviceDisplayName,
        inhibitLogin, refreshToken, kind, guestAccessToken, appserviceToken,
    )

    /** The same request naming [deviceId] (for `Client.recoverRegistration`). */
    public fun withDeviceId(deviceId: String?): RegisterRequest = RegisterRequest(
        username, password, auth, deviceId, initialDeviceDisplayName,
        inhibitLogin, refreshToken, kind, guestAccessToken, appserviceToken,
    )

    public companion object {
        /**
         * Turn [guest] into a full account named after the guest's localpart
         * (Synapse requires that name), keeping its user ID.
         */
        public fun upgradingGuest(
            guest: Registration,
            password: String,
            auth: Auth? = null,
            initialDeviceDisplayName: String? = null,
        ): RegisterRequest = RegisterRequest(
            username = guest.localpart,
            password = password,
            auth = auth,
            initialDeviceDisplayName = initialDeviceDisplayName,
            guestAccessToken = guest.accessToken
                ?: throw IllegalArgumentException("the guest registration has no access token"),
        )
    }

    override fun toString(): String =
        "RegisterRequest(username=$username, password=${redacted(password)}, auth=$auth, deviceId=$deviceId, " +
            "initialDeviceDisplayName=$initialDeviceDisplayName, inhibitLogin=$inhibitLogin, " +
            "refreshToken=$refreshToken, kind=$kind, guestAccessToken=${redacted(guestAccessToken)}, " +
            "appserviceToken=${redacted(appserviceToken)})"

    /** The C struct, from `mxreg_register_request_init` with every field written over it; its strings live in [strings]. */
    internal fun toRaw(strings: NativeStrings): MxregRegisterRequest {
        val raw = MxregRegisterRequest().also(LoadedLibrary.library::mxreg_register_request_init)
        raw.username = strings.put("username", username)
        raw.password = strings.put("password", password)
        raw.auth_json = strings.put("auth", auth?.json)
        raw.device_id = strings.put("deviceId", deviceId)
        raw.initial_device_display_name = strings.put("initialDeviceDisplayName", initialDeviceDisplayName)
        raw.guest_access_token = strings.put("guestAccessToken", guestAccessToken)
        raw.appservice_token = strings.put("appserviceToken", appserviceToken)
        raw.kind = kind.raw
        raw.inhibit_login = if (inhibitLogin) 1 else 0
        raw.refresh_token = if (refreshToken) 1 else 0
        return raw
    }
}

internal fun redacted(secret: String?): String = if (secret == null) "null" else "<redacted>"
