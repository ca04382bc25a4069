package org.mxreg.coroutines

import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.asExecutor
import org.mxreg.Client
import org.mxreg.ClientOptions
import org.mxreg.LoginRequest
import org.mxreg.MxregException
import org.mxreg.OAuthServer
import org.mxreg.RegisterRequest
import org.mxreg.Registration
import org.mxreg.ServerProbe
import org.mxreg.Tokens
import java.util.concurrent.Executor

/**
 * Suspending variants of [Client]'s network calls: each runs the blocking
 * call on [dispatcher] (by default `Dispatchers.IO`) and suspends until it
 * returns.
 *
 * Cancellation (a `withTimeout` included) resumes the caller with
 * `CancellationException` at once, but does not interrupt the native call:
 * it goes on in the background until the server answers or the client's
 * timeouts ([ClientOptions.requestTimeout]) end it, and a result that
 * arrives after cancellation is closed. A registration cancelled in flight
 * may therefore still have created the account on the server.
 */
public class SuspendingClient(
    public val client: Client,
    dispatcher: CoroutineDispatcher = Dispatchers.IO,
) {
    private val executor: Executor = dispatcher.asExecutor()

    /** [Client.register], suspending. */
    @Throws(MxregException::class)
    public suspend fun register(request: RegisterRequest): Registration =
        offload(executor, Registration::close) { client.register(request) }

    /** [Client.recoverRegistration], suspending. */
    @Throws(MxregException::class)
    public suspend fun recoverRegistration(request: RegisterRequest): Registration =
        offload(executor, Registration::close) { client.recoverRegistration(request) }

    /** [Client.registerGuest], suspending. */
    @Throws(MxregException::class)
    public suspend fun registerGuest(initialDeviceDisplayName: String? = null): Registration =
        offload(executor, Registration::close) { client.registerGuest(initialDeviceDisplayName) }

    /** [Client.usernameAvailable], suspending. */
    @Throws(MxregException::class)
    public suspend fun usernameAvailable(username: String): Boolean = offload(executor) { client.usernameAvailable(username) }

    /** [Client.registrationTokenValid], suspending. */
    @Throws(MxregException::class)
    public suspend fun registrationTokenValid(token: String): Boolean =
        offload(executor) { client.registrationTokenValid(token) }

    /** [Client.discoverOAuthServer], suspending. */
    @Throws(MxregException::class)
    public suspend fun discoverOAuthServer(): OAuthServer = offload(executor, OAuthServer::close) { client.discoverOAuthServer() }

    /** [Client.login], suspending. */
    @Throws(MxregException::class)
    public suspend fun login(request: LoginRequest): Registration =
        offload(executor, Registration::close) { client.login(request) }

    /** [Client.refresh], suspending. */
    @Throws(MxregException::class)
    public suspend fun refresh(refreshToken: String): Tokens = offload(executor, Tokens::close) { client.refresh(refreshToken) }
}

/** This client's suspending variants, run on [dispatcher]. */
public fun Client.suspending(dispatcher: CoroutineDispatcher = Dispatchers.IO): SuspendingClient =
    SuspendingClient(this, dispatcher)

/** [ServerProbe.probe], suspending (on [dispatcher]). */
@Throws(MxregException::class)
public suspend fun probeServer(
    server: String,
    options: ClientOptions = ClientOptions(),
    checkGuestAccess: Boolean = false,
    dispatcher: CoroutineDispatcher = Dispatchers.IO,
): ServerProbe = offload(dispatcher.asExecutor()) { ServerProbe.probe(server, options, checkGuestAccess) }
