package org.mxreg.coroutines

import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.ExperimentalCoroutinesApi
import kotlinx.coroutines.asExecutor
import kotlinx.coroutines.suspendCancellableCoroutine
import java.util.concurrent.Executor
import kotlin.coroutines.resume
import kotlin.coroutines.resumeWithException

/**
 * Run the blocking [call] on [executor] and suspend until it returns. A
 * cancelled caller resumes at once; the native call runs on to its end, and
 * a result that nobody will read is handed to [discard] (to free it).
 */
// resume(value, onCancellation) is the one way to free a result that loses
// the race with cancellation (experimental in coroutines 1.8, stable later).
@OptIn(ExperimentalCoroutinesApi::class)
internal suspend fun <T> offload(executor: Executor, discard: (T) -> Unit = {}, call: () -> T): T =
    suspendCancellableCoroutine { continuation ->
        executor.execute {
            runCatching(call).fold(
                onSuccess = { value -> continuation.resume(value) { _ -> discard(value) } },
                onFailure = { continuation.resumeWithException(it) },
            )
        }
    }

/**
 * Run any blocking mxreg [call] on [dispatcher] and suspend until it
 * returns, with the cancellation behaviour described on [SuspendingClient]
 * (a result that arrives after cancellation is closed when it is
 * [AutoCloseable]). For calls without a ready-made suspending variant.
 */
public suspend fun <T> runMxreg(dispatcher: CoroutineDispatcher = Dispatchers.IO, call: () -> T): T =
    offload(dispatcher.asExecutor(), { (it as? AutoCloseable)?.close() }, call)
