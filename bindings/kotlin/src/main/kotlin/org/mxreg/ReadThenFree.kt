package org.mxreg

import com.sun.jna.Pointer
import org.mxreg.raw.LoadedLibrary

/**
 * Read an owned native result the library handed over, then free it, even
 * when [read] throws: the one place the binding copies out and frees what
 * it does not keep. [kind] names it for [LiveHandles] while it is alive.
 */
internal inline fun <T> readThenFree(kind: String, owned: Pointer, free: (Pointer) -> Unit, read: (Pointer) -> T): T {
    LiveHandles.opened(kind)
    try {
        return read(owned)
    } finally {
        free(owned)
        LiveHandles.closed(kind)
    }
}

/**
 * Copy a free-standing string the library returned, then wipe and free it
 * (`mxreg_string_free`); [IllegalStateException] with [missing] for NULL.
 */
internal fun takeString(owned: Pointer?, missing: String): String =
    readThenFree("string", owned ?: throw IllegalStateException(missing), LoadedLibrary.library::mxreg_string_free) {
        it.getString(0, "UTF-8")
    }
