import CMxreg

/// Run a fallible native call with an error out-parameter: OK returns, any
/// other code throws `MxregError`. The native error is always freed.
func check(_ call: (UnsafeMutablePointer<OpaquePointer?>) throws -> UInt32) throws {
    var error: OpaquePointer?
    let code = try call(&error)
    defer { mxreg_error_free(error) }
    guard code == ResultCode.ok.rawValue else {
        throw MxregError(code: ResultCode(rawValue: code), native: error)
    }
}

/// Like `check`, for calls that write a handle to an out-parameter.
func checkOutput(_ what: String, _ call: (UnsafeMutablePointer<OpaquePointer?>, UnsafeMutablePointer<OpaquePointer?>) throws -> UInt32) throws -> OpaquePointer {
    var output: OpaquePointer?
    try check { try call(&output, $0) }
    guard let output else { throw MxregUsageError.missing(what) }
    return output
}

extension NativeHandle {
    /// `checkOutput` on the lent pointer: a call on this handle that hands
    /// over a new native object (the caller owns it).
    func output(
        _ what: String,
        _ call: (OpaquePointer, UnsafeMutablePointer<OpaquePointer?>, UnsafeMutablePointer<OpaquePointer?>) throws -> UInt32
    ) throws -> OpaquePointer {
        try withPointer { pointer in try checkOutput(what) { try call(pointer, $0, $1) } }
    }
}

/// Like `check`, for calls that hand over a string (`mxreg_*_save`): copied,
/// then freed with `mxreg_string_free`, which wipes it.
func checkString(_ what: String, _ call: (UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>, UnsafeMutablePointer<OpaquePointer?>) throws -> UInt32) throws -> String {
    var output: UnsafeMutablePointer<CChar>?
    try check { try call(&output, $0) }
    guard let output else { throw MxregUsageError.missing(what) }
    defer { mxreg_string_free(output) }
    return String(cString: output)
}

/// A borrowed C string copied into Swift, or nil.
func copied(_ text: UnsafePointer<CChar>?) -> String? {
    text.map { String(cString: $0) }
}

/// An `int64_t` where negative means "none".
func nonNegative(_ value: Int64) -> Int64? {
    value < 0 ? nil : value
}
