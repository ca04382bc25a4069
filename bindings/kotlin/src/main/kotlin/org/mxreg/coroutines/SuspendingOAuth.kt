package org.mxreg.coroutines

import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.asExecutor
import org.mxreg.MxregException
import org.mxreg.OAuthAuthorization
import org.mxreg.OAuthClientMetadata
import org.mxreg.OAuthRegisteredClient
import org.mxreg.OAuthServer
import org.mxreg.Registration
import org.mxreg.Tokens
import java.util.concurrent.Executor

/** Suspending variants of [OAuthServer]'s network calls (cancellation as on [SuspendingClient]). */
public class SuspendingOAuthServer(
    public val server: OAuthServer,
    dispatcher: CoroutineDispatcher = Dispatchers.IO,
) {
    private val executor: Executor = dispatcher.asExecutor()

    @Throws(MxregException::class)
    public suspend fun registerClient(metadata: OAuthClientMetadata): OAuthRegisteredClient =
        offload(executor) { server.registerClient(metadata) }

    @Throws(MxregException::class)
    public suspend fun refreshToken(clientId: String, refreshToken: String): Tokens =
        offload(executor, Tokens::close) { server.refreshToken(clientId, refreshToken) }

    @Throws(MxregException::class)
    public suspend fun revokeToken(clientId: String, token: String): Unit = offload(executor) { server.revokeToken(clientId, token) }
}

/** [OAuthAuthorization.complete], suspending on [dispatcher] (cancellation as on [SuspendingClient]). */
@Throws(MxregException::class)
public suspend fun OAuthAuthorization.completeSuspending(
    redirectUrl: String,
    dispatcher: CoroutineDispatcher = Dispatchers.IO,
): Registration = offload(dispatcher.asExecutor(), Registration::close) { complete(redirectUrl) }

/** This server's suspending variants, run on [dispatcher]. */
public fun OAuthServer.suspending(dispatcher: CoroutineDispatcher = Dispatchers.IO): SuspendingOAuthServer =
    SuspendingOAuthServer(this, dispatcher)
