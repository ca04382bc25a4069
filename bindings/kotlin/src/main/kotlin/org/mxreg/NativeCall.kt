package org.mxreg

import com.sun.jna.Pointer
import com.sun.jna.ptr.PointerByReference

/**
 * One fallible call on the handle [HandleAccess.read] gives: [call] gets
 * that pointer, the call's [NativeStrings] (freed right after) and its
 * `error_out`, which [checked] turns into an [MxregException].
 */
internal fun HandleAccess.call(body: (self: Pointer, strings: NativeStrings, errorOut: PointerByReference) -> Int) {
    NativeStrings().use { strings -> read { self -> checked { errorOut -> body(self, strings, errorOut) } } }
}

/**
 * As [call], for a call that hands over a new native object through its
 * `out` parameter: returns that pointer (the caller owns it).
 */
internal fun HandleAccess.callForHandle(
    body: (self: Pointer, strings: NativeStrings, out: PointerByReference, errorOut: PointerByReference) -> Int,
): Pointer {
    val out = PointerByReference()
    call { self, strings, errorOut -> body(self, strings, out, errorOut) }
    return out.value ?: throw IllegalStateException("libmxreg reported success but returned nothing")
}
