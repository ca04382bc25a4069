package org.mxreg

import com.sun.jna.ptr.PointerByReference
import org.mxreg.raw.LoadedLibrary
import org.mxreg.raw.MxregClientOptions
import org.mxreg.raw.MxregSignupMethod

/** Ways a server lets people sign up (`mxreg_signup_method` flags). */
public enum class SignupMethod(internal val flag: Int) {
    /** `POST /register` with user-interactive auth: a [Signup] session. */
    LEGACY(MxregSignupMethod.LEGACY),

    /** OAuth 2.0 account creation (`prompt=create`). */
    OAUTH_CREATE(MxregSignupMethod.OAUTH_CREATE),

    /** Auth is delegated to an OAuth 2.0 server. */
    OAUTH(MxregSignupMethod.OAUTH),

    /** Single sign-on, which may create accounts on first login. */
    SSO(MxregSignupMethod.SSO),

    /** Guest accounts (only reported when the probe was asked to check). */
    GUEST(MxregSignupMethod.GUEST),
}

/**
 * What sign-up a server offers, as [probe] found it: the client-server
 * [homeserverUrl] to give to [Client], the [signupMethods] (empty: sign-up is
 * closed to this client), the registration flows when [SignupMethod.LEGACY]
 * is offered, and everything found as one JSON object.
 */
public data class ServerProbe(
    public val homeserverUrl: String,
    public val signupMethods: Set<SignupMethod>,
    /** The raw flags, bits this binding does not know included. */
    public val signupMethodFlags: Int,
    public val authInfo: AuthInfo?,
    public val json: String,
) {
    public companion object {
        /**
         * Probe [server]: a server name (`example.org`, discovered through its
         * `.well-known`) or a URL. Blocks for several requests. With
         * [checkGuestAccess] it also tries a guest registration, which creates
         * a guest account where guests are allowed. A server that is not a
         * Matrix homeserver gives [MxregException.InvalidResponse].
         */
        @JvmStatic
        @JvmOverloads
        @Throws(MxregException::class)
        public fun probe(server: String, options: ClientOptions = ClientOptions(), checkGuestAccess: Boolean = false): ServerProbe {
            val lib = LoadedLibrary.library
            val probeOut = PointerByReference()
            NativeStrings().use { strings ->
                val raw = MxregClientOptions()
                lib.mxreg_client_options_init(raw)
                options.applyTo(raw, strings)
                val guest: Byte = if (checkGuestAccess) 1 else 0
                checked { lib.mxreg_probe_server(strings.put("server", server), raw, guest, probeOut, it) }
            }
            val probe = probeOut.value
            LiveHandles.opened("probe")
            try {
                val flags = lib.mxreg_probe_signup_methods(probe)
                return ServerProbe(
                    homeserverUrl = lib.mxreg_probe_homeserver_url(probe) ?: "",
                    signupMethods = SignupMethod.entries.filter { flags and it.flag != 0 }.toSet(),
                    signupMethodFlags = flags,
                    authInfo = lib.mxreg_probe_auth_info(probe)?.let { AuthInfo.read(lib, it) },
                    json = lib.mxreg_probe_json(probe) ?: "{}",
                )
            } finally {
                lib.mxreg_probe_free(probe)
                LiveHandles.closed("probe")
            }
        }
    }
}
