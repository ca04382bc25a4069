package org.mxreg

import com.sun.jna.Pointer
import com.sun.jna.ptr.PointerByReference
import org.mxreg.raw.LoadedLibrary
import org.mxreg.raw.MxregLibrary
import org.mxreg.raw.MxregResult

/**
 * Call a fallible C function with a fresh `error_out`, and turn a failure
 * into its [MxregException]. The native error is always freed, here.
 */
internal inline fun checked(call: (errorOut: PointerByReference) -> Int) {
    val errorOut = PointerByReference()
    val code = call(errorOut)
    val error: Pointer? = errorOut.value
    if (error == null) {
        if (code != MxregResult.OK) throw localError(code, LoadedLibrary.library.mxreg_result_describe(code) ?: "")
        return
    }
    readThenFree("error", error, LoadedLibrary.library::mxreg_error_free) {
        if (code != MxregResult.OK) throw readError(LoadedLibrary.library, code, it)
    }
}

/** An error raised by the binding itself, before calling the library (e.g. a NUL inside a string). */
internal fun localError(code: Int, message: String): MxregException =
    MxregException.of(ErrorDetail(code, LoadedLibrary.library.mxreg_result_name(code) ?: "MXREG_RESULT_UNKNOWN", message))

private fun readError(lib: MxregLibrary, code: Int, error: Pointer): MxregException {
    val detail = ErrorDetail(
        code = code,
        codeName = lib.mxreg_result_name(code) ?: "MXREG_RESULT_UNKNOWN",
        message = lib.mxreg_error_message(error) ?: lib.mxreg_result_describe(code) ?: "",
        errcode = lib.mxreg_error_errcode(error),
        httpStatus = lib.mxreg_error_http_status(error).toInt().and(0xFFFF).takeIf { it != 0 },
        retryAfterMs = lib.mxreg_error_retry_after_ms(error).takeIf { it >= 0 },
        bodyJson = lib.mxreg_error_body_json(error),
        adminContact = lib.mxreg_error_admin_contact(error),
        infoUri = lib.mxreg_error_info_uri(error),
        canUpgrade = lib.mxreg_error_can_upgrade(error).toInt() != 0,
        consentUri = lib.mxreg_error_consent_uri(error),
        deviceId = lib.mxreg_error_device_id(error),
    )
    val authInfo = lib.mxreg_error_auth_info(error)?.let { AuthInfo.read(lib, it) }
    return MxregException.of(detail, authInfo)
}
