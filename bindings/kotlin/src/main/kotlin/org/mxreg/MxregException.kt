package org.mxreg

import org.mxreg.raw.MxregResult

/** What a failed call reported, copied out of the native `mxreg_error` before it is freed. */
internal class ErrorDetail(
    val code: Int,
    val codeName: String,
    val message: String,
    val errcode: String? = null,
    val httpStatus: Int? = null,
    val retryAfterMs: Long? = null,
    val bodyJson: String? = null,
    val adminContact: String? = null,
    val infoUri: String? = null,
    val canUpgrade: Boolean = false,
    val consentUri: String? = null,
    val deviceId: String? = null,
)

/**
 * A failed mxreg call: one subclass per `mxreg_result` code, grouped like the
 * codes are: [Local] (1..99, the call never reached the network),
 * [Transport] (100..199) and [Server] (200..299, the server answered).
 *
 * Catch a leaf (`MxregException.UserInUse`), a group, or this class; a
 * `when` over it is exhaustive. A code newer than this binding arrives as
 * [Unknown]. Messages never contain passwords or tokens.
 */
public sealed class MxregException(detail: ErrorDetail) : Exception(detail.message) {
    /** The `mxreg_result` value (`MXREG_RESULT_*`). */
    public val code: Int = detail.code

    /** The code's name, e.g. `MXREG_RESULT_USER_IN_USE`. */
    public val codeName: String = detail.codeName

    /** The Matrix `errcode` the server sent (e.g. `M_USER_IN_USE`), or null. */
    public val errcode: String? = detail.errcode

    /** The HTTP status of the server's answer, or null when there was no answer. */
    public val httpStatus: Int? = detail.httpStatus

    /** How long the server asked to wait before retrying, in ms, or null when it gave no delay. */
    public val retryAfterMs: Long? = detail.retryAfterMs

    /** The server's JSON error body, unknown fields included, or null. */
    public val bodyJson: String? = detail.bodyJson

    /** `admin_contact` of `M_RESOURCE_LIMIT_EXCEEDED` (e.g. `mailto:admin@example.org`), or null. */
    public val adminContact: String? = detail.adminContact

    /** `info_uri` of `M_USER_LIMIT_EXCEEDED`, or null. */
    public val infoUri: String? = detail.infoUri

    /** `can_upgrade` of `M_USER_LIMIT_EXCEEDED`; false when the server said nothing. */
    public val canUpgrade: Boolean = detail.canUpgrade

    /** `consent_uri` of `M_CONSENT_NOT_GIVEN`: the page where the user accepts the policy, or null. */
    public val consentUri: String? = detail.consentUri

    /** For [OutcomeUnknown] after a registration: the device it named (for `Client.recoverRegistration`). */
    public val deviceId: String? = detail.deviceId

    override fun toString(): String = buildString {
        append(this@MxregException.javaClass.name).append(": ").append(codeName).append(" (").append(code).append(')')
        errcode?.let { append(' ').append(it) }
        httpStatus?.let { append(" HTTP ").append(it) }
        retryAfterMs?.let { append(" retry after ").append(it).append(" ms") }
        append(": ").append(message)
    }

    /** The call was refused before any network traffic. */
    public sealed class Local(detail: ErrorDetail) : MxregException(detail)

    /** The network exchange failed. */
    public sealed class Transport(detail: ErrorDetail) : MxregException(detail)

    /** The server answered with an error. */
    public sealed class Server(detail: ErrorDetail) : MxregException(detail)

    public class NullArgument internal constructor(detail: ErrorDetail) : Local(detail)
    public class InvalidUtf8 internal constructor(detail: ErrorDetail) : Local(detail)
    public class InvalidArgument internal constructor(detail: ErrorDetail) : Local(detail)
    public class StructSize internal constructor(detail: ErrorDetail) : Local(detail)

    /** A bug in mxreg, caught at the library boundary. */
    public class Panic internal constructor(detail: ErrorDetail) : Local(detail)

    /** Plain http to a non-loopback host without `allowInsecureHttp`. */
    public class InsecureUrl internal constructor(detail: ErrorDetail) : Local(detail)
    public class InvalidState internal constructor(detail: ErrorDetail) : Local(detail)
    public class UnsupportedFlow internal constructor(detail: ErrorDetail) : Local(detail)

    /** An OAuth redirect that belongs to another authorization (`state`/`iss` differ): ignore it. */
    public class OAuthStateMismatch internal constructor(detail: ErrorDetail) : Local(detail)

    /** The server prefers OAuth 2.0 to single sign-on (`oauth_aware_preferred`): use [Client.discoverOAuthServer]. */
    public class OAuthPreferred internal constructor(detail: ErrorDetail) : Local(detail)

    public class Dns internal constructor(detail: ErrorDetail) : Transport(detail)
    public class Connect internal constructor(detail: ErrorDetail) : Transport(detail)
    public class Tls internal constructor(detail: ErrorDetail) : Transport(detail)

    /** No answer in time, before the request was fully sent: nothing happened on the server. */
    public class Timeout internal constructor(detail: ErrorDetail) : Transport(detail)

    /** The connection failed after the request was sent: the account may exist. Check before retrying. */
    public class OutcomeUnknown internal constructor(detail: ErrorDetail) : Transport(detail)
    public class BodyTooLarge internal constructor(detail: ErrorDetail) : Transport(detail)
    public class InvalidResponse internal constructor(detail: ErrorDetail) : Transport(detail)
    public class Redirect internal constructor(detail: ErrorDetail) : Transport(detail)
    public class Io internal constructor(detail: ErrorDetail) : Transport(detail)

    public class MatrixError internal constructor(detail: ErrorDetail) : Server(detail)

    /** User-interactive auth: complete a stage of one of [authInfo]'s flows and call again. */
    public class AuthRequired internal constructor(detail: ErrorDetail, public val authInfo: AuthInfo) : Server(detail)

    /** Wait [retryAfterMs] (when given) before trying again. */
    public class RateLimited internal constructor(detail: ErrorDetail) : Server(detail)
    public class UserInUse internal constructor(detail: ErrorDetail) : Server(detail)
    public class InvalidUsername internal constructor(detail: ErrorDetail) : Server(detail)

    /** The password fails the server's policy; [errcode] says why (Synapse: `M_PASSWORD_*`). */
    public class WeakPassword internal constructor(detail: ErrorDetail) : Server(detail)
    public class Forbidden internal constructor(detail: ErrorDetail) : Server(detail)
    public class UnknownToken internal constructor(detail: ErrorDetail) : Server(detail)
    public class HttpError internal constructor(detail: ErrorDetail) : Server(detail)

    /** A signup stage was not accepted (wrong token, email not validated yet); the session stays usable. */
    public class StageRejected internal constructor(detail: ErrorDetail) : Server(detail)

    /** The server no longer knows the signup session: start a new one. */
    public class SessionExpired internal constructor(detail: ErrorDetail) : Server(detail)

    /** The server has no OAuth 2.0 (or not the part asked for: sign-up, dynamic registration). */
    public class OAuthUnsupported internal constructor(detail: ErrorDetail) : Server(detail)

    /** The user refused on the server's consent page. */
    public class OAuthAccessDenied internal constructor(detail: ErrorDetail) : Server(detail)

    /** A used, expired or revoked code or refresh token, or a wrong PKCE verifier. */
    public class OAuthInvalidGrant internal constructor(detail: ErrorDetail) : Server(detail)

    /** Another OAuth error; [errcode] holds the OAuth `error`. */
    public class OAuthError internal constructor(detail: ErrorDetail) : Server(detail)

    /** The server hit a resource limit (monthly active users, disabled); [adminContact] says whom to ask. */
    public class ResourceLimitExceeded internal constructor(detail: ErrorDetail) : Server(detail)

    /** A user limit of the server's plan is reached; see [infoUri] and [canUpgrade]. */
    public class UserLimitExceeded internal constructor(detail: ErrorDetail) : Server(detail)

    /** The validation code was wrong: ask for it again. */
    public class TokenIncorrect internal constructor(detail: ErrorDetail) : Server(detail)

    /** The email address or phone number is already bound to an account here. */
    public class ThreepidInUse internal constructor(detail: ErrorDetail) : Server(detail)

    /** The server does not accept this email address or phone number. */
    public class ThreepidDenied internal constructor(detail: ErrorDetail) : Server(detail)

    /** Guest access is disabled on this server. */
    public class GuestAccessForbidden internal constructor(detail: ErrorDetail) : Server(detail)

    /** The user ID is reserved by an application service. */
    public class Exclusive internal constructor(detail: ErrorDetail) : Server(detail)

    /** The user must first accept the server's policy at [consentUri]. */
    public class ConsentNotGiven internal constructor(detail: ErrorDetail) : Server(detail)

    /** The server does not support this application-service registration or login. */
    public class AppserviceLoginUnsupported internal constructor(detail: ErrorDetail) : Server(detail)

    /** `.well-known` discovery failed on invalid data: ask the user for the homeserver URL. */
    public class DiscoveryFailPrompt internal constructor(detail: ErrorDetail) : Server(detail)

    /** `.well-known` named a homeserver that is not valid: stop, guess no other URL. */
    public class DiscoveryFailError internal constructor(detail: ErrorDetail) : Server(detail)

    /** The user has not approved the device authorization yet ([errcode] `authorization_pending` or `slow_down`): poll again after the interval. */
    public class OAuthAuthorizationPending internal constructor(detail: ErrorDetail) : Server(detail)

    /** The device code expired before the user approved it: start a new device authorization. */
    public class OAuthExpiredToken internal constructor(detail: ErrorDetail) : Server(detail)

    /** A result code this binding does not know (a newer library); see [codeName]. */
    public class Unknown internal constructor(detail: ErrorDetail) : MxregException(detail)

    internal companion object {
        /** The exception for [detail]'s code; [authInfo] is used by `AuthRequired` only. */
        fun of(detail: ErrorDetail, authInfo: AuthInfo? = null): MxregException = when (detail.code) {
            MxregResult.NULL_ARGUMENT -> NullArgument(detail)
            MxregResult.INVALID_UTF8 -> InvalidUtf8(detail)
            MxregResult.INVALID_ARGUMENT -> InvalidArgument(detail)
            MxregResult.STRUCT_SIZE -> StructSize(detail)
            MxregResult.PANIC -> Panic(detail)
            MxregResult.INSECURE_URL -> InsecureUrl(detail)
            MxregResult.INVALID_STATE -> InvalidState(detail)
            MxregResult.UNSUPPORTED_FLOW -> UnsupportedFlow(detail)
            MxregResult.OAUTH_STATE_MISMATCH -> OAuthStateMismatch(detail)
            MxregResult.OAUTH_PREFERRED -> OAuthPreferred(detail)
            MxregResult.DNS -> Dns(detail)
            MxregResult.CONNECT -> Connect(detail)
            MxregResult.TLS -> Tls(detail)
            MxregResult.TIMEOUT -> Timeout(detail)
            MxregResult.OUTCOME_UNKNOWN -> OutcomeUnknown(detail)
            MxregResult.BODY_TOO_LARGE -> BodyTooLarge(detail)
            MxregResult.INVALID_RESPONSE -> InvalidResponse(detail)
            MxregResult.REDIRECT -> Redirect(detail)
            MxregResult.IO -> Io(detail)
            MxregResult.MATRIX_ERROR -> MatrixError(detail)
            MxregResult.AUTH_REQUIRED -> AuthRequired(detail, authInfo ?: AuthInfo.NONE)
            MxregResult.RATE_LIMITED -> RateLimited(detail)
            MxregResult.USER_IN_USE -> UserInUse(detail)
            MxregResult.INVALID_USERNAME -> InvalidUsername(detail)
            MxregResult.WEAK_PASSWORD -> WeakPassword(detail)
            MxregResult.FORBIDDEN -> Forbidden(detail)
            MxregResult.UNKNOWN_TOKEN -> UnknownToken(detail)
            MxregResult.HTTP_ERROR -> HttpError(detail)
            MxregResult.STAGE_REJECTED -> StageRejected(detail)
            MxregResult.SESSION_EXPIRED -> SessionExpired(detail)
            MxregResult.OAUTH_UNSUPPORTED -> OAuthUnsupported(detail)
            MxregResult.OAUTH_ACCESS_DENIED -> OAuthAccessDenied(detail)
            MxregResult.OAUTH_INVALID_GRANT -> OAuthInvalidGrant(detail)
            MxregResult.OAUTH_ERROR -> OAuthError(detail)
            MxregResult.RESOURCE_LIMIT_EXCEEDED -> ResourceLimitExceeded(detail)
            MxregResult.USER_LIMIT_EXCEEDED -> UserLimitExceeded(detail)
            MxregResult.TOKEN_INCORRECT -> TokenIncorrect(detail)
            MxregResult.THREEPID_IN_USE -> ThreepidInUse(detail)
            MxregResult.THREEPID_DENIED -> ThreepidDenied(detail)
            MxregResult.GUEST_ACCESS_FORBIDDEN -> GuestAccessForbidden(detail)
            MxregResult.EXCLUSIVE -> Exclusive(detail)
            MxregResult.CONSENT_NOT_GIVEN -> ConsentNotGiven(detail)
            MxregResult.APPSERVICE_LOGIN_UNSUPPORTED -> AppserviceLoginUnsupported(detail)
            MxregResult.DISCOVERY_FAIL_PROMPT -> DiscoveryFailPrompt(detail)
            MxregResult.DISCOVERY_FAIL_ERROR -> DiscoveryFailError(detail)
            MxregResult.OAUTH_AUTHORIZATION_PENDING -> OAuthAuthorizationPending(detail)
            MxregResult.OAUTH_EXPIRED_TOKEN -> OAuthExpiredToken(detail)
            else -> Unknown(detail)
        }
    }
}
