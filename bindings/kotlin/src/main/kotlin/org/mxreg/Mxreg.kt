package org.mxreg

import org.mxreg.raw.LoadedLibrary
import org.mxreg.raw.MXREG_ABI_VERSION

/** Facts about the loaded library and this binding. */
public object Mxreg {
    /** The ABI version this binding was built for; the library must report the same. */
    public const val ABI_VERSION: Int = MXREG_ABI_VERSION

    /**
     * The loaded library's version, e.g. `0.1.0`. The first use of the
     * library loads it and throws [org.mxreg.raw.MxregLoadError] when it is
     * missing or does not match this binding.
     */
    public val libraryVersion: String get() = LoadedLibrary.library.mxreg_version() ?: ""

    /**
     * Check [username] (a localpart) against the Matrix user ID grammar, no
     * request: lower-case a-z, 0-9 and `-._=/+`, and short enough for
     * `@username:serverName` (length part skipped when [serverName] is null).
     * Throws [MxregException.InvalidArgument] saying what is wrong. Servers
     * may refuse more names (`InvalidUsername` at registration).
     */
    @JvmStatic
    @JvmOverloads
    @Throws(MxregException::class)
    public fun checkUsername(username: String, serverName: String? = null) {
        val lib = LoadedLibrary.library
        NativeStrings().use { strings ->
            checked { lib.mxreg_username_check(strings.put("username", username), strings.put("serverName", serverName), it) }
        }
    }

    /** The static description of a result code (any value). */
    public fun describe(code: Int): String = LoadedLibrary.library.mxreg_result_describe(code) ?: ""

    /**
     * Native handles this binding holds right now, by kind (`client`,
     * `registration`, ...), zero counts left out. Empty when nothing leaks.
     */
    public fun liveHandles(): Map<String, Int> = LiveHandles.snapshot()
}
