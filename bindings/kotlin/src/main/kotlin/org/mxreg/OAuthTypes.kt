package org.mxreg

import org.mxreg.raw.LoadedLibrary
import org.mxreg.raw.MxregOauthApplicationType
import org.mxreg.raw.MxregOauthAuthorizationRequest
import org.mxreg.raw.MxregOauthClientMetadata
import org.mxreg.raw.MxregOauthIntent
import org.mxreg.raw.MxregOauthResponseMode
import org.mxreg.raw.SizeT

/** Create an account, or sign in to an existing one (`mxreg_oauth_intent`). */
public enum class OAuthIntent(internal val raw: Int) {
    /** `prompt=create`: the server shows its sign-up form. */
    SIGN_UP(MxregOauthIntent.SIGN_UP),
    LOGIN(MxregOauthIntent.LOGIN),
    ;

    internal companion object {
        fun of(raw: Int): OAuthIntent = entries.firstOrNull { it.raw == raw } ?: SIGN_UP
    }
}

/** What kind of app registers (`mxreg_oauth_application_type`). */
public enum class OAuthApplicationType(internal val raw: Int) {
    /** Mobile or desktop: loopback or private-use scheme (`com.example.app:/callback`) redirect URIs. */
    NATIVE(MxregOauthApplicationType.NATIVE),

    /** Web app: https redirect URIs on the host of `clientUri`. */
    WEB(MxregOauthApplicationType.WEB),
}

/** Where the server puts the result in the redirect (`mxreg_oauth_response_mode`). */
public enum class OAuthResponseMode(internal val raw: Int) {
    QUERY(MxregOauthResponseMode.QUERY),
    FRAGMENT(MxregOauthResponseMode.FRAGMENT),
}

/** How the app describes itself when it registers as an OAuth client. */
public class OAuthClientMetadata(
    /** The app's web page (https); other URIs share its host. */
    public val clientUri: String,
    /** 1 to 64 redirect URIs, e.g. `com.example.app:/callback` on Android. */
    public val redirectUris: List<String>,
    /** The name users see on the consent page. */
    public val clientName: String? = null,
    public val applicationType: OAuthApplicationType = OAuthApplicationType.NATIVE,
    public val logoUri: String? = null,
    public val policyUri: String? = null,
    public val tosUri: String? = null,
) {
    override fun toString(): String =
        "OAuthClientMetadata(clientUri=$clientUri, redirectUris=$redirectUris, clientName=$clientName, " +
            "applicationType=$applicationType)"

    /** The C struct, from `mxreg_oauth_client_metadata_init` with every field written over it; its strings live in [strings]. */
    internal fun toRaw(strings: NativeStrings): MxregOauthClientMetadata {
        val raw = MxregOauthClientMetadata().also(LoadedLibrary.library::mxreg_oauth_client_metadata_init)
        raw.client_uri = strings.put("clientUri", clientUri)
        raw.redirect_uris = strings.putArray("redirectUris", redirectUris)
        raw.redirect_uri_count = SizeT(redirectUris.size.toLong())
        raw.client_name = strings.put("clientName", clientName)
        raw.application_type = applicationType.raw
        raw.logo_uri = strings.put("logoUri", logoUri)
        raw.policy_uri = strings.put("policyUri", policyUri)
        raw.tos_uri = strings.put("tosUri", tosUri)
        return raw
    }
}

/** What to authorize with [OAuthServer.startAuthorization]. */
public class OAuthAuthorizationRequest(
    /** From the [OAuthServer.registerClient] call that started this flow, or the server's operator. */
    public val clientId: String,
    /** One of the client's registered redirect URIs. */
    public val redirectUri: String,
    public val intent: OAuthIntent = OAuthIntent.SIGN_UP,
    /** The device to create (A-Z a-z 0-9 - . _ ~); null generates one. */
    public val deviceId: String? = null,
    /** A hint for the server's form, e.g. `mxid:@alice:example.org`. */
    public val loginHint: String? = null,
    public val responseMode: OAuthResponseMode = OAuthResponseMode.QUERY,
) {
    override fun toString(): String =
        "OAuthAuthorizationRequest(clientId=$clientId, redirectUri=$redirectUri, intent=$intent, deviceId=$deviceId, " +
            "loginHint=$loginHint, responseMode=$responseMode)"

    /** The C struct, from `mxreg_oauth_authorization_request_init` with every field written over it; its strings live in [strings]. */
    internal fun toRaw(strings: NativeStrings): MxregOauthAuthorizationRequest {
        val raw = MxregOauthAuthorizationRequest().also(LoadedLibrary.library::mxreg_oauth_authorization_request_init)
        raw.client_id = strings.put("clientId", clientId)
        raw.redirect_uri = strings.put("redirectUri", redirectUri)
        raw.device_id = strings.put("deviceId", deviceId)
        raw.login_hint = strings.put("loginHint", loginHint)
        raw.intent = intent.raw
        raw.response_mode = responseMode.raw
        return raw
    }
}

/** The app's registration as a public OAuth client: store [clientId] and reuse it. */
public data class OAuthRegisteredClient(
    public val clientId: String,
    /** The server's answer as JSON, secrets left out. */
    public val metadataJson: String,
)
