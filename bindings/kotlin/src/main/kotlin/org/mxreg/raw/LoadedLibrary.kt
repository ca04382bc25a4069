package org.mxreg.raw

import com.sun.jna.Library
import com.sun.jna.Native
import com.sun.jna.Structure
import java.io.File

/** The native library could not be loaded, or it does not match this binding. */
public class MxregLoadError(message: String, cause: Throwable? = null) : LinkageError(message, cause)

/**
 * Loads libmxreg once, on first use, and refuses a library this binding
 * cannot drive: a different ABI version or a request struct of another size.
 *
 * Where from: the system property `mxreg.library.path`, else the environment
 * variable `MXREG_LIBRARY_PATH` (a library file, or a directory holding
 * `libmxreg.so` / `libmxreg.dylib` / `mxreg.dll`), else JNA's normal lookup
 * of `mxreg` (`jna.library.path`, the system paths, a copy packaged on the
 * class path, and on Android the APK's `jniLibs`).
 */
public object LoadedLibrary {
    public const val PATH_PROPERTY: String = "mxreg.library.path"
    public const val PATH_ENV: String = "MXREG_LIBRARY_PATH"

    /** Every mirrored request struct, by C name, with the library's size for it. */
    public val mirroredStructs: Map<String, MirroredStruct> = mapOf(
        "mxreg_client_options" to MirroredStruct(::MxregClientOptions) { it.mxreg_client_options_size() },
        "mxreg_register_request" to MirroredStruct(::MxregRegisterRequest) { it.mxreg_register_request_size() },
        "mxreg_login_request" to MirroredStruct(::MxregLoginRequest) { it.mxreg_login_request_size() },
        "mxreg_oauth_client_metadata" to MirroredStruct(::MxregOauthClientMetadata) {
            it.mxreg_oauth_client_metadata_size()
        },
        "mxreg_oauth_authorization_request" to MirroredStruct(::MxregOauthAuthorizationRequest) {
            it.mxreg_oauth_authorization_request_size()
        },
    )

    /** The checked library; the first access loads it and throws [MxregLoadError] on failure. */
    public val library: MxregLibrary by lazy { loadFrom(locate()) }

    /** Load and check the library at [source] (a path, or a name for JNA's lookup). */
    internal fun loadFrom(source: String): MxregLibrary {
        val library = try {
            Native.load(source, MxregLibrary::class.java, mapOf(Library.OPTION_STRING_ENCODING to "UTF-8"))
        } catch (err: UnsatisfiedLinkError) {
            throw MxregLoadError(
                "cannot load libmxreg from '$source' (set -D$PATH_PROPERTY or $PATH_ENV): ${err.message}",
                err,
            )
        }
        // Nothing but mxreg_abi_version is called before this check: JNA binds
        // each function on its first call, so a mismatched library fails here.
        val abi = try {
            library.mxreg_abi_version()
        } catch (err: UnsatisfiedLinkError) {
            throw MxregLoadError("'$source' is not libmxreg (no mxreg_abi_version): ${err.message}", err)
        }
        if (abi != MXREG_ABI_VERSION) {
            throw MxregLoadError(
                "libmxreg at '$source' has ABI version $abi, this binding needs $MXREG_ABI_VERSION " +
                    "(library ${library.mxreg_version()}, binding built for header $MXREG_VERSION)",
            )
        }
        for ((name, struct) in mirroredStructs) {
            val ours = struct.create().size().toLong()
            val theirs = struct.librarySize(library).toLong()
            // Exact match for now: the library accepts only its own size.
            if (ours != theirs) {
                throw MxregLoadError(
                    "libmxreg at '$source' has sizeof($name) = $theirs, this binding's mirror is $ours " +
                        "(library ${library.mxreg_version()}, binding built for header $MXREG_VERSION)",
                )
            }
        }
        return library
    }

    private fun locate(): String {
        val configured = System.getProperty(PATH_PROPERTY)?.takeIf { it.isNotEmpty() }
            ?: System.getenv(PATH_ENV)?.takeIf { it.isNotEmpty() }
            ?: return "mxreg"
        val file = File(configured)
        return if (file.isDirectory) File(file, System.mapLibraryName("mxreg")).path else file.path
    }
}

/** A request struct mirror and the library function that reports its native size. */
public class MirroredStruct(
    public val create: () -> Structure,
    public val librarySize: (MxregLibrary) -> SizeT,
)
