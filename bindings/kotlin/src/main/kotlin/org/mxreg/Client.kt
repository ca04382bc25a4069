package org.mxreg

import com.sun.jna.Pointer
import com.sun.jna.ptr.ByteByReference
import com.sun.jna.ptr.PointerByReference
import org.mxreg.raw.LoadedLibrary
import org.mxreg.raw.MxregRegisterRequest
import org.mxreg.raw.MxregSsoAction

/**
 * A client for one homeserver. Creating one does no I/O.
 *
 * Thread-safe: share one client between threads and calls. Close it when
 * done ([use] or [close]); a garbage-collected client is freed by a
 * `Cleaner` as a backstop. [close] does not wait for calls in progress:
 * each call holds its own native reference until it returns.
 *
 * Every network call blocks the calling thread until the answer or the
 * client's timeouts ([ClientOptions]); call it off the main thread, or use
 * the suspending variants in `org.mxreg.coroutines`.
 */
public class Client @Throws(MxregException::class) constructor(
    homeserverUrl: String,
    options: ClientOptions = ClientOptions(),
) : AutoCloseable {
    private val lib = LoadedLibrary.library
    private val handle: NativeHandle

    /** The normalised homeserver base URL (no trailing slash). */
    public val homeserverUrl: String

    init {
        val clientOut = PointerByReference()
        NativeStrings().use { strings ->
            val raw = options.toRaw(strings)
            checked { errorOut -> lib.mxreg_client_new(strings.put("homeserverUrl", homeserverUrl), raw, clientOut, errorOut) }
        }
        handle = NativeHandle(this, "client", clientOut.value, lib::mxreg_client_free)
        this.homeserverUrl = handle.read { lib.mxreg_client_homeserver_url(it) } ?: ""
    }

    // Calls run on a reference of their own (`mxreg_client_clone`), so that
    // [close] on another thread never frees the client under a call.
    private val references: HandleAccess = object : HandleAccess {
        override val isClosed: Boolean get() = handle.isClosed

        override fun <T> read(block: (Pointer) -> T): T = withReference(block)

        override fun close() = handle.close()
    }

    /**
     * Send one `POST /register` and wait for the answer.
     *
     * Throws [MxregException.AuthRequired] when the server wants a UIA stage
     * completed: pick a flow from its `authInfo`, then call again with
     * `request.withAuth(...)`. A failed stage is `AuthRequired` too, with the
     * stage's `errcode`.
     */
    @Throws(MxregException::class)
    public fun register(request: RegisterRequest): Registration =
        registerWith(request) { client, raw, out, errorOut -> lib.mxreg_client_register(client, raw, out, errorOut) }

    /**
     * After [MxregException.OutcomeUnknown] from [register]: the account, on
     * the device the lost attempt named. Pass the same request with
     * `deviceId` set (yours, or the exception's [MxregException.deviceId]).
     * The attempt is sent again; when the server no longer knows it, mxreg
     * logs in onto that device. Throws what the server answered when neither
     * gives the account (`AuthRequired`: registration had not finished).
     */
    @Throws(MxregException::class)
    public fun recoverRegistration(request: RegisterRequest): Registration =
        registerWith(request) { client, raw, out, errorOut ->
            lib.mxreg_client_recover_registration(client, raw, out, errorOut)
        }

    private fun registerWith(
        request: RegisterRequest,
        call: (Pointer, MxregRegisterRequest, PointerByReference, PointerByReference) -> Int,
    ): Registration = Registration(
        references.callForHandle { client, strings, out, errorOut -> call(client, request.toRaw(strings), out, errorOut) },
    )

    /** Register a guest account (the server must allow guest access). */
    @Throws(MxregException::class)
    public fun registerGuest(initialDeviceDisplayName: String? = null): Registration =
        register(RegisterRequest(kind = AccountKind.GUEST, initialDeviceDisplayName = initialDeviceDisplayName))

    /**
     * A registration session to complete stage by stage; no I/O until
     * [Signup.start]. [stages] are what this app can complete (dummy stages
     * are always handled); flows needing others are avoided. The request's
     * `auth` is ignored. Close the session when done.
     */
    @Throws(MxregException::class)
    public fun signup(request: RegisterRequest, stages: Set<Stage> = emptySet()): Signup = Signup(
        references.callForHandle { client, strings, out, errorOut ->
            lib.mxreg_signup_new(client, request.toRaw(strings), Stage.flags(stages), out, errorOut)
        },
    )

    /** Continue a session saved with [Signup.save] on this homeserver; no I/O. */
    @Throws(MxregException::class)
    public fun restoreSignup(saved: String): Signup = Signup(
        references.callForHandle { client, strings, out, errorOut ->
            lib.mxreg_signup_restore(client, strings.put("saved", saved), out, errorOut)
        },
    )

    /**
     * Whether [username] is free (`GET /register/available`), after the
     * local grammar check ([MxregException.InvalidArgument]). Synapse allows
     * about one call per second: expect [MxregException.RateLimited] or set
     * [ClientOptions.rateLimitMaxWait].
     */
    @Throws(MxregException::class)
    public fun usernameAvailable(username: String): Boolean = askYesNo { client, strings, answer, errorOut ->
        lib.mxreg_client_username_available(client, strings.put("username", username), answer, errorOut)
    }

    /** Whether [token] is a valid registration token (servers that need none may say false). */
    @Throws(MxregException::class)
    public fun registrationTokenValid(token: String): Boolean = askYesNo { client, strings, answer, errorOut ->
        lib.mxreg_client_registration_token_valid(client, strings.put("token", token), answer, errorOut)
    }

    /**
     * Exchange [refreshToken] for a new pair (`POST /refresh`). A token
     * already exchanged is refused ([MxregException.Forbidden] on Synapse),
     * an unknown one is [MxregException.UnknownToken].
     */
    @Throws(MxregException::class)
    public fun refresh(refreshToken: String): Tokens = Tokens(
        references.callForHandle { client, strings, out, errorOut ->
            lib.mxreg_client_refresh(client, strings.put("refreshToken", refreshToken), out, errorOut)
        },
    )

    /**
     * Log in to an existing account (`POST /login`): after a registration
     * with `inhibitLogin`, after [MxregException.OutcomeUnknown], or to
     * redeem an SSO login token. A wrong password, an unknown user or a used
     * token is [MxregException.Forbidden]. Blocks.
     */
    @Throws(MxregException::class)
    public fun login(request: LoginRequest): Registration = Registration(
        references.callForHandle { client, strings, out, errorOut ->
            lib.mxreg_client_login(client, request.toRaw(strings), out, errorOut)
        },
    )

    /**
     * The single sign-on URL for the app to open in a browser. The server
     * sends the browser back to [redirectUrl] (absolute) with a `loginToken`:
     * pass that URL to [ssoComplete]. A user's first sign-in creates the
     * account. [idpId] is one of the server's identity providers
     * ([ServerProbe]), or null to let the server choose; [login] asks for a
     * sign-in page rather than a sign-up page. A relative URL or an unknown
     * provider is [MxregException.InvalidArgument], a server without SSO
     * [MxregException.UnsupportedFlow], one that prefers OAuth 2.0
     * [MxregException.OAuthPreferred]. Blocks.
     */
    @Throws(MxregException::class)
    public fun ssoUrl(redirectUrl: String, idpId: String? = null, login: Boolean = false): String {
        val action = if (login) MxregSsoAction.LOGIN else MxregSsoAction.REGISTER
        val url = references.callForHandle { client, strings, out, errorOut ->
            lib.mxreg_client_sso_url(client, strings.put("idpId", idpId), strings.put("redirectUrl", redirectUrl), action, out, errorOut)
        }
        return takeString(url, "libmxreg returned no URL")
    }

    /**
     * Finish single sign-on with the full redirect URL the app received: logs
     * in with its `loginToken`. A token used twice is
     * [MxregException.Forbidden]; a URL without one
     * [MxregException.InvalidArgument]. Blocks.
     */
    @Throws(MxregException::class)
    public fun ssoComplete(receivedRedirectUrl: String): Registration = Registration(
        references.callForHandle { client, strings, out, errorOut ->
            lib.mxreg_client_sso_complete(client, strings.put("receivedRedirectUrl", receivedRedirectUrl), out, errorOut)
        },
    )

    /**
     * Fetch and check the homeserver's OAuth 2.0 server metadata. A server
     * with legacy registration only is [MxregException.OAuthUnsupported].
     * Blocks. The result keeps its own reference to this client.
     */
    @Throws(MxregException::class)
    public fun discoverOAuthServer(): OAuthServer = OAuthServer(
        references.callForHandle { client, _, out, errorOut -> lib.mxreg_oauth_server_discover(client, out, errorOut) },
    )

    public val isClosed: Boolean get() = handle.isClosed

    /** Free this client; calls in progress finish first. Safe to call twice. */
    override fun close(): Unit = handle.close()

    override fun toString(): String = "Client($homeserverUrl)"

    private fun askYesNo(call: (Pointer, NativeStrings, ByteByReference, PointerByReference) -> Int): Boolean {
        val answer = ByteByReference()
        references.call { client, strings, errorOut -> call(client, strings, answer, errorOut) }
        return answer.value.toInt() != 0
    }

    /** Run [block] with a reference of its own (`mxreg_client_clone`), freed afterwards. */
    private fun <T> withReference(block: (Pointer) -> T): T {
        val reference = handle.read { lib.mxreg_client_clone(it) }
            ?: throw IllegalStateException("libmxreg could not clone the client")
        return readThenFree("client reference", reference, lib::mxreg_client_free, block)
    }
}
