package org.mxreg

import com.sun.jna.Memory
import com.sun.jna.Native
import com.sun.jna.Pointer
import org.mxreg.raw.MxregResult
import java.nio.CharBuffer
import java.nio.charset.CharacterCodingException
import java.nio.charset.CodingErrorAction
import java.nio.charset.StandardCharsets

/**
 * NUL-terminated UTF-8 copies of a call's string arguments, in native memory
 * owned here: [close] zeroes them (passwords and tokens included) and frees
 * them right after the call, instead of leaving copies for the GC.
 */
internal class NativeStrings : AutoCloseable {
    private val blocks = ArrayList<Memory>()

    /** A native copy of [value] (null stays null); [name] is for error messages. */
    fun put(name: String, value: String?): Pointer? {
        if (value == null) return null
        if (value.indexOf('\u0000') >= 0) {
            throw localError(MxregResult.INVALID_ARGUMENT, "$name contains a NUL character")
        }
        val encoded = try {
            StandardCharsets.UTF_8.newEncoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .encode(CharBuffer.wrap(value))
        } catch (_: CharacterCodingException) {
            throw localError(MxregResult.INVALID_UTF8, "$name is not valid Unicode (unpaired surrogate)")
        }
        val length = encoded.remaining()
        val memory = Memory(length + 1L)
        blocks += memory
        val bytes = encoded.array()
        memory.write(0, bytes, encoded.arrayOffset() + encoded.position(), length)
        memory.setByte(length.toLong(), 0)
        bytes.fill(0)
        return memory
    }

    /** A native array of native copies of [values] (for `const char *const *` fields). */
    fun putArray(name: String, values: List<String>): Pointer {
        val array = Memory(maxOf(1, values.size).toLong() * Native.POINTER_SIZE)
        blocks += array
        values.forEachIndexed { i, value -> array.setPointer(i.toLong() * Native.POINTER_SIZE, put("$name[$i]", value)) }
        return array
    }

    override fun close() {
        for (memory in blocks) {
            memory.clear()
            memory.close()
        }
        blocks.clear()
    }
}
