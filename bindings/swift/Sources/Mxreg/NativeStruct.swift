/// A C request struct as its `mxreg_*_init` function fills it (the struct
/// size and the library's defaults), for a request type to write its
/// fields over: `initialized(mxreg_login_request()) { mxreg_login_request_init($0) }`.
func initialized<Raw>(_ empty: Raw, _ initialize: (UnsafeMutablePointer<Raw>?) -> Void) -> Raw {
    var raw = empty
    initialize(&raw)
    return raw
}
