package org.mxreg

import com.sun.jna.ptr.PointerByReference
import org.mxreg.raw.LoadedLibrary
import org.mxreg.raw.MxregProbePart
import org.mxreg.raw.MxregSignupMethod
import org.mxreg.raw.SizeT

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

/** The parts of a probe found out on their own (`mxreg_probe_part`). */
public enum class ProbePart(internal val flag: Int) {
    /** `GET /login`: the login types, and so single sign-on. */
    LOGIN(MxregProbePart.LOGIN),

    /** The OAuth 2.0 server metadata. */
    OAUTH(MxregProbePart.OAUTH),

    /** The empty `POST /register`: legacy registration and its flows. */
    REGISTRATION(MxregProbePart.REGISTRATION),

    /** The guest registration (only when asked for). */
    GUEST(MxregProbePart.GUEST),
}

/**
 * A part [ServerProbe.probe] could not find out: the result code its request
 * met (`MxregResult` value: a timeout, a rate limit, a server error...) and
 * the message. [part] is null for a part this binding does not know.
 */
public data class UnknownPart(
    public val part: ProbePart?,
    public val partFlag: Int,
    public val code: Int,
    public val message: String,
)

/**
 * What sign-up a server offers, as [probe] found it: the client-server
 * [homeserverUrl] to give to [Client], the [signupMethods] found (empty with
 * no [unknown] parts: sign-up is closed to this client), the registration
 * flows when [SignupMethod.LEGACY] is offered, the parts that could not be
 * found out, and everything found as one JSON object.
 */
public data class ServerProbe(
    public val homeserverUrl: String,
    public val signupMethods: Set<SignupMethod>,
    /** The raw flags, bits this binding does not know included. */
    public val signupMethodFlags: Int,
    public val authInfo: AuthInfo?,
    public val json: String,
    /** The parts that could not be found out; a method they would show is missing. */
    public val unknown: List<UnknownPart> = emptyList(),
) {
    public companion object {
        /**
         * Probe [server]: a server name (`example.org`, discovered through its
         * `.well-known`) or a URL. Blocks for a connection and about two round
         * trips (the guest check one more), at most
         * [ClientOptions.callTimeout]; a part it could not find out is in
         * [unknown] rather than thrown. With
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
                val raw = options.toRaw(strings)
                val guest: Byte = if (checkGuestAccess) 1 else 0
                checked { lib.mxreg_probe_server(strings.put("server", server), raw, guest, probeOut, it) }
            }
            return readThenFree("probe", probeOut.value, lib::mxreg_probe_free) { probe ->
                val flags = lib.mxreg_probe_signup_methods(probe)
                ServerProbe(
                    homeserverUrl = lib.mxreg_probe_homeserver_url(probe) ?: "",
                    signupMethods = SignupMethod.entries.filter { flags and it.flag != 0 }.toSet(),
                    signupMethodFlags = flags,
                    authInfo = lib.mxreg_probe_auth_info(probe)?.let { AuthInfo.read(lib, it) },
                    json = lib.mxreg_probe_json(probe) ?: "{}",
                    unknown = (0L until lib.mxreg_probe_unknown_count(probe).toLong()).map { index ->
                        val at = SizeT(index)
                        val flag = lib.mxreg_probe_unknown_part(probe, at)
                        UnknownPart(
                            part = ProbePart.entries.firstOrNull { it.flag == flag },
                            partFlag = flag,
                            code = lib.mxreg_probe_unknown_result(probe, at),
                            message = lib.mxreg_probe_unknown_message(probe, at) ?: "",
                        )
                    },
                )
            }
        }
    }
}
