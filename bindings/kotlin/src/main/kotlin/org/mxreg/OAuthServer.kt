package org.mxreg

import com.sun.jna.Pointer
import org.mxreg.raw.LoadedLibrary

/**
 * A homeserver's OAuth 2.0 authorization server, from
 * [Client.discoverOAuthServer]: sign-up and login happen on its web pages,
 * which the app opens in a browser (a Custom Tab on Android).
 *
 * ```
 * client.discoverOAuthServer().use { server ->
 *     val clientId = server.registerClient(metadata).clientId   // each flow; keep it with the tokens
 *     server.startAuthorization(OAuthAuthorizationRequest(clientId, redirectUri)).use { authorization ->
 *         openBrowser(authorization.url)
 *         val registration = authorization.complete(awaitRedirect())
 *     }
 * }
 * ```
 *
 * Thread-safe; [close] waits for calls in progress. Authorizations started
 * from it stay valid after it is closed.
 */
public class OAuthServer internal constructor(pointer: Pointer) : AutoCloseable {
    private val lib = LoadedLibrary.library
    private val handle = NativeHandle(this, "OAuth server", pointer, lib::mxreg_oauth_server_free)

    /** Whether the server lets users create accounts (`prompt=create`). */
    public val supportsSignUp: Boolean get() = handle.read { lib.mxreg_oauth_server_supports_sign_up(it).toInt() != 0 }
    /** The device authorization grant (RFC 8628) is offered: see [startDeviceAuthorization]. */
    public val supportsDeviceAuthorization: Boolean
        get() = handle.read { lib.mxreg_oauth_server_supports_device_authorization(it).toInt() != 0 }

    public val issuer: String get() = handle.read { lib.mxreg_oauth_server_issuer(it) } ?: ""
    public val authorizationEndpoint: String get() = handle.read { lib.mxreg_oauth_server_authorization_endpoint(it) } ?: ""
    public val tokenEndpoint: String get() = handle.read { lib.mxreg_oauth_server_token_endpoint(it) } ?: ""

    /** Dynamic client registration, or null (the app then needs a client ID from the operator). */
    public val registrationEndpoint: String? get() = handle.read { lib.mxreg_oauth_server_registration_endpoint(it) }
    public val revocationEndpoint: String? get() = handle.read { lib.mxreg_oauth_server_revocation_endpoint(it) }

    /** Where the user manages their account (link to it from the app), or null. */
    public val accountManagementUri: String? get() = handle.read { lib.mxreg_oauth_server_account_management_uri(it) }

    /** The whole metadata document as JSON, unknown fields included. */
    public val metadataJson: String get() = handle.read { lib.mxreg_oauth_server_metadata_json(it) } ?: "{}"

    /**
     * Register the app as a public client (RFC 7591), at the start of each
     * authorization flow as the spec says; keep the client ID with that flow's
     * tokens. Loopback redirect URIs are registered without their port (the
     * server accepts any port in the flow, RFC 8252 §7.3). No dynamic
     * registration on the server: [MxregException.OAuthUnsupported]. Blocks.
     */
    @Throws(MxregException::class)
    public fun registerClient(metadata: OAuthClientMetadata): OAuthRegisteredClient {
        val registered = handle.callForHandle { server, strings, out, errorOut ->
            lib.mxreg_oauth_server_register_client(server, metadata.toRaw(strings), out, errorOut)
        }
        return readThenFree("OAuth registered client", registered, lib::mxreg_oauth_registered_client_free) {
            OAuthRegisteredClient(
                clientId = lib.mxreg_oauth_registered_client_client_id(it) ?: "",
                metadataJson = lib.mxreg_oauth_registered_client_metadata_json(it) ?: "{}",
            )
        }
    }

    /**
     * Start an authorization (fresh PKCE verifier and `state`). No I/O: open
     * [OAuthAuthorization.url], then pass the redirect to
     * [OAuthAuthorization.complete]. A sign-up on a server without
     * `prompt=create` is [MxregException.OAuthUnsupported].
     */
    @Throws(MxregException::class)
    public fun startAuthorization(request: OAuthAuthorizationRequest): OAuthAuthorization = OAuthAuthorization(
        handle.callForHandle { server, strings, out, errorOut ->
            lib.mxreg_oauth_authorization_start(server, request.toRaw(strings), out, errorOut)
        },
    )

    /**
     * Start a device authorization (RFC 8628) for [clientId] and [deviceId]
     * (null: a new one): the user enters the code on another device. A
     * server without the grant is [MxregException.OAuthUnsupported]. Blocks.
     */
    @Throws(MxregException::class)
    public fun startDeviceAuthorization(clientId: String, deviceId: String? = null): OAuthDeviceAuthorization =
        OAuthDeviceAuthorization(
            handle.callForHandle { server, strings, out, errorOut ->
                lib.mxreg_oauth_device_authorization_start(
                    server, strings.put("clientId", clientId), strings.put("deviceId", deviceId), out, errorOut,
                )
            },
        )

    /** Continue an authorization saved with [OAuthAuthorization.save] (same server; discover it again). */
    @Throws(MxregException::class)
    public fun restoreAuthorization(saved: String): OAuthAuthorization = OAuthAuthorization(
        handle.callForHandle { server, strings, out, errorOut ->
            lib.mxreg_oauth_authorization_restore(server, strings.put("saved", saved), out, errorOut)
        },
    )

    /**
     * Exchange [refreshToken] at the token endpoint. Keep the rotated refresh
     * token; the old one is then [MxregException.OAuthInvalidGrant]. Blocks.
     */
    @Throws(MxregException::class)
    public fun refreshToken(clientId: String, refreshToken: String): Tokens = Tokens(
        handle.callForHandle { server, strings, out, errorOut ->
            lib.mxreg_oauth_server_refresh_token(
                server, strings.put("clientId", clientId), strings.put("refreshToken", refreshToken), out, errorOut,
            )
        },
    )

    /** Revoke an access or refresh token (logs the device out). Unknown tokens succeed. Blocks. */
    @Throws(MxregException::class)
    public fun revokeToken(clientId: String, token: String): Unit = handle.call { server, strings, errorOut ->
        lib.mxreg_oauth_server_revoke_token(server, strings.put("clientId", clientId), strings.put("token", token), errorOut)
    }

    public val isClosed: Boolean get() = handle.isClosed

    override fun close(): Unit = handle.close()

    override fun toString(): String = if (isClosed) "OAuthServer(closed)" else "OAuthServer($issuer)"
}

/**
 * One authorization in progress: open [url] in the user's browser, then
 * hand the redirect the app receives to [complete]. Close it when done (it
 * wipes the PKCE verifier).
 */
public class OAuthAuthorization internal constructor(pointer: Pointer) : AutoCloseable {
    private val lib = LoadedLibrary.library
    private val handle = NativeHandle(this, "OAuth authorization", pointer, lib::mxreg_oauth_authorization_free)

    /** The URL to open in the user's browser. */
    public val url: String = handle.read { lib.mxreg_oauth_authorization_url(it) } ?: ""

    /** The device ID the new session will have. */
    public val deviceId: String = handle.read { lib.mxreg_oauth_authorization_device_id(it) } ?: ""

    /** The `state` value, to tell which authorization a redirect belongs to. */
    public val state: String = handle.read { lib.mxreg_oauth_authorization_state(it) } ?: ""

    public val intent: OAuthIntent = handle.read { OAuthIntent.of(lib.mxreg_oauth_authorization_intent(it)) }

    /**
     * The authorization as a JSON string for [OAuthServer.restoreAuthorization]
     * (an app killed while the browser is open). It holds the PKCE verifier:
     * store it as you would a token.
     */
    @Throws(MxregException::class)
    public fun save(): String = takeString(
        handle.callForHandle { authorization, _, out, errorOut -> lib.mxreg_oauth_authorization_save(authorization, out, errorOut) },
        "libmxreg returned no saved authorization",
    )

    /**
     * Finish with the full [redirectUrl] the app received: checks `state`
     * ([MxregException.OAuthStateMismatch]: ignore that redirect), maps a
     * refusal ([MxregException.OAuthAccessDenied]), exchanges the code and
     * asks the homeserver who the account is. Blocks.
     */
    @Throws(MxregException::class)
    public fun complete(redirectUrl: String): Registration = Registration(
        handle.callForHandle { authorization, strings, out, errorOut ->
            lib.mxreg_oauth_authorization_complete(authorization, strings.put("redirectUrl", redirectUrl), out, errorOut)
        },
    )

    public val isClosed: Boolean get() = handle.isClosed

    override fun close(): Unit = handle.close()

    override fun toString(): String = "OAuthAuthorization(intent=$intent, deviceId=$deviceId)"
}
