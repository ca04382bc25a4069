package org.mxreg

/**
 * Frees a native handle whose owner was garbage-collected without `close()`:
 * a backstop, not the way to free (collection may come late or never).
 *
 * `java.lang.ref.Cleaner` where it exists (Java 9+, Android API 33+); on
 * older Android, JNA's own cleaner thread, which works the same way.
 */
internal object Backstop {
    fun interface Registration {
        /** Runs the action now unless it already ran; later calls do nothing. */
        fun clean()
    }

    private val registrar: (Any, Runnable) -> Registration = try {
        val cleaner = java.lang.ref.Cleaner.create()
        val register: (Any, Runnable) -> Registration = { owner, action ->
            val cleanable = cleaner.register(owner, action)
            Registration { cleanable.clean() }
        }
        register
    } catch (_: NoClassDefFoundError) {
        val cleaner = com.sun.jna.internal.Cleaner.getCleaner()
        val register: (Any, Runnable) -> Registration = { owner, action ->
            val cleanable = cleaner.register(owner, action)
            Registration { cleanable.clean() }
        }
        register
    }

    /** Run [action] once: at [Registration.clean] or after [owner] becomes unreachable. */
    fun register(owner: Any, action: Runnable): Registration = registrar(owner, action)
}
