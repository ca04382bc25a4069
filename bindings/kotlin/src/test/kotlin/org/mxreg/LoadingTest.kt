package org.mxreg

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.io.TempDir
import org.mxreg.raw.LoadedLibrary
import org.mxreg.raw.MXREG_ABI_VERSION
import org.mxreg.raw.MXREG_VERSION
import org.mxreg.raw.MxregLoadError
import java.io.File
import java.util.concurrent.TimeUnit
import kotlin.test.assertFailsWith

/** Loading refuses a library this binding cannot drive, with a message that says why. */
class LoadingTest {
    @TempDir
    lateinit var dir: File

    /** A stand-in library built from [source] with the C compiler the C suite uses. */
    private fun fakeLibrary(name: String, source: String): String {
        val c = File(dir, "$name.c").apply { writeText(source) }
        val so = File(dir, "lib$name.so")
        val cc = System.getenv("CC") ?: "cc"
        val process = ProcessBuilder(cc, "-shared", "-fPIC", "-o", so.path, c.path).redirectErrorStream(true).start()
        val output = process.inputStream.bufferedReader().readText()
        assertTrue(process.waitFor(60, TimeUnit.SECONDS) && process.exitValue() == 0, "cc failed: $output")
        return so.path
    }

    @Test
    fun theLoadedLibraryMatchesTheHeaderThisBindingMirrors() {
        assertEquals(MXREG_VERSION, Mxreg.libraryVersion)
        assertEquals(MXREG_ABI_VERSION, LoadedLibrary.library.mxreg_abi_version())
        assertEquals("MXREG_RESULT_USER_IN_USE", LoadedLibrary.library.mxreg_result_name(203))
    }

    @Test
    fun anotherAbiVersionIsRefused() {
        val path = fakeLibrary(
            "abi99",
            "unsigned mxreg_abi_version(void) { return 99; }\nconst char *mxreg_version(void) { return \"9.9.9\"; }\n",
        )
        val err = assertFailsWith<MxregLoadError> { LoadedLibrary.loadFrom(path) }
        assertTrue(err.message!!.contains("ABI version 99, this binding needs $MXREG_ABI_VERSION"), err.message)
    }

    @Test
    fun aStructOfAnotherSizeIsRefused() {
        val path = fakeLibrary(
            "smallstruct",
            "#include <stddef.h>\n" +
                "unsigned mxreg_abi_version(void) { return $MXREG_ABI_VERSION; }\n" +
                "const char *mxreg_version(void) { return \"0.0.1\"; }\n" +
                "size_t mxreg_client_options_size(void) { return 8; }\n" +
                "size_t mxreg_register_request_size(void) { return 8; }\n",
        )
        val err = assertFailsWith<MxregLoadError> { LoadedLibrary.loadFrom(path) }
        assertTrue(err.message!!.contains("= 8, this binding's mirror is"), err.message)
    }

    @Test
    fun aLibraryThatIsNotMxregOrIsMissingIsRefused() {
        val other = fakeLibrary("other", "int something_else(void) { return 1; }\n")
        val notMxreg = assertFailsWith<MxregLoadError> { LoadedLibrary.loadFrom(other) }
        assertTrue(notMxreg.message!!.contains("is not libmxreg"), notMxreg.message)
        val missing = assertFailsWith<MxregLoadError> { LoadedLibrary.loadFrom(File(dir, "nothing.so").path) }
        assertTrue(missing.message!!.contains(LoadedLibrary.PATH_PROPERTY), missing.message)
    }
}
