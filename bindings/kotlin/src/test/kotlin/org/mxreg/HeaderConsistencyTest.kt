package org.mxreg

import com.sun.jna.NativeLibrary
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.mxreg.raw.LoadedLibrary
import org.mxreg.raw.MxregLibrary
import org.mxreg.raw.MxregResult
import java.lang.reflect.Modifier

/**
 * What generating the raw layer from the header (scripts/gen_kotlin_raw.py,
 * checked current by `make test`) cannot guarantee: that the library loaded
 * at run time exports every mapped function and has the struct sizes the
 * mirrors have, and that the hand-written exceptions cover every result code.
 */
class HeaderConsistencyTest {
    /** `MXREG_RESULT_OAUTH_ERROR` -> `OAuthError` (Kotlin spelling of the acronym). */
    private fun exceptionName(code: String): String =
        code.removePrefix("MXREG_RESULT_").lowercase().split('_')
            .joinToString("") { part -> part.replaceFirstChar(Char::uppercaseChar) }
            .replace("Oauth", "OAuth")

    @Test
    fun theLibraryExportsEveryMappedFunction() {
        val path = LoadedLibrary.locate()
        val native = NativeLibrary.getInstance(path)
        val names = MxregLibrary::class.java.declaredMethods.map { it.name }.toSet()
        val missing = names.filter { name -> runCatching { native.getFunction(name) }.isFailure }
        assertTrue(missing.isEmpty(), "mapped in MxregLibrary, not exported by $path: $missing")
        assertTrue(names.size >= 40, "only ${names.size} functions mapped: generator broken?")
    }

    @Test
    fun everyRequestStructMirrorHasTheLibrarysSize() {
        val problems = mutableListOf<String>()
        for ((name, mirror) in LoadedLibrary.mirroredStructs) {
            val ours = mirror.create().size().toLong()
            val theirs = mirror.librarySize(LoadedLibrary.library).toLong()
            if (ours != theirs) problems += "$name: mirror is $ours bytes, the library's is $theirs"
        }
        // Every `mxreg_<struct>_size()` the library has names a mirrored struct.
        val sizeFunctions = MxregLibrary::class.java.declaredMethods
            .filter { it.name.endsWith("_size") && it.parameterCount == 0 }
            .map { it.name.removeSuffix("_size") }
        for (name in sizeFunctions - LoadedLibrary.mirroredStructs.keys) {
            problems += "$name: the library reports its size, no mirror is size-checked at load"
        }
        assertTrue(problems.isEmpty(), problems.joinToString("\n", "struct mirrors out of step with the library:\n"))
        assertTrue(LoadedLibrary.mirroredStructs.isNotEmpty(), "no struct mirrored: generator broken?")
    }

    @Test
    fun everyResultCodeHasItsOwnExceptionClass() {
        val codes = MxregResult::class.java.declaredFields
            .filter { Modifier.isStatic(it.modifiers) && it.name != "INSTANCE" && it.name != "OK" }
            .associate { "MXREG_RESULT_${it.name}" to it.getInt(null) }
        val problems = mutableListOf<String>()
        val expectedNames = codes.keys.map(::exceptionName).toSet()
        for ((name, value) in codes) {
            val exception = MxregException.of(ErrorDetail(value, name, "test"))
            val want = exceptionName(name)
            if (exception.javaClass.simpleName != want) {
                problems += "$name ($value): raises ${exception.javaClass.simpleName}, want MxregException.$want"
            }
        }
        val leaves = MxregException::class.java.declaredClasses
            .filter { MxregException::class.java.isAssignableFrom(it) && !Modifier.isAbstract(it.modifiers) }
            .map { it.simpleName }
            .toSet()
        for (stale in leaves - expectedNames - "Unknown") problems += "MxregException.$stale: no such code in the header"
        assertTrue(problems.isEmpty(), problems.joinToString("\n", "exceptions out of step with the header:\n"))
        assertTrue(codes.size >= 30, "only ${codes.size} result codes mirrored: generator broken?")
        assertEquals(expectedNames + "Unknown", leaves)
    }
}
