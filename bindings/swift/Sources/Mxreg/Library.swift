import CMxreg

/// The linked libmxreg, vetted once before first use: its ABI version and
/// the size of every request struct this binding fills must match the
/// header the binding was compiled against, or every entry point throws
/// `LibraryMismatch` instead of passing a wrongly sized struct.
enum Library {
    /// What a library reports, and what this binding was compiled with.
    struct Facts: Sendable {
        var abiVersion: UInt32
        var version: String
        /// (struct, the library's size, this binding's size)
        var structSizes: [(name: String, library: Int, binding: Int)]
    }

    static var linked: Facts {
        Facts(
            abiVersion: mxreg_abi_version(),
            version: String(cString: mxreg_version()),
            structSizes: [
                ("mxreg_client_options", mxreg_client_options_size(), MemoryLayout<mxreg_client_options>.size),
                ("mxreg_register_request", mxreg_register_request_size(), MemoryLayout<mxreg_register_request>.size),
                ("mxreg_login_request", mxreg_login_request_size(), MemoryLayout<mxreg_login_request>.size),
                ("mxreg_oauth_client_metadata", mxreg_oauth_client_metadata_size(), MemoryLayout<mxreg_oauth_client_metadata>.size),
                ("mxreg_oauth_authorization_request", mxreg_oauth_authorization_request_size(),
                 MemoryLayout<mxreg_oauth_authorization_request>.size),
            ])
    }

    static let expectedAbiVersion = UInt32(MXREG_ABI_VERSION)

    /// nil when `facts` is a library this binding can drive, else why not.
    static func mismatch(_ facts: Facts) -> LibraryMismatch? {
        guard facts.abiVersion == expectedAbiVersion else {
            return LibraryMismatch(message: "libmxreg \(facts.version) has ABI version \(facts.abiVersion), "
                + "this binding needs \(expectedAbiVersion): link a matching libmxreg (MXREG_LIB_DIR)")
        }
        for size in facts.structSizes where size.library != size.binding {
            return LibraryMismatch(message: "libmxreg \(facts.version): sizeof(\(size.name)) = \(size.library), "
                + "this binding's is \(size.binding): it was built from another header")
        }
        return nil
    }

    private static let verdict: LibraryMismatch? = mismatch(linked)

    /// Throws when the linked library is not one this binding can drive.
    static func check() throws {
        if let verdict { throw verdict }
    }
}

/// The linked libmxreg does not match the header this binding was built from.
public struct LibraryMismatch: Error, Sendable, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
