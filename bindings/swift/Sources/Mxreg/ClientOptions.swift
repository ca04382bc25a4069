import CMxreg

/// Connection settings for a `Client`. nil means the library's default.
public struct ClientOptions: Sendable {
    /// `User-Agent` header; nil means `mxreg/<version>`.
    public var userAgent: String?
    /// Cap on a response body (default 1 MiB); larger answers are `.bodyTooLarge`.
    public var maxResponseBytes: UInt64?
    /// DNS plus connection and TLS handshake timeout (default 10 s).
    public var connectTimeout: Duration?
    /// Sending a request and receiving the whole answer (default 30 s).
    public var requestTimeout: Duration?
    /// Allow `http://` to hosts other than loopback.
    public var allowInsecureHttp: Bool
    /// On HTTP 429, wait as the server asks and retry within this total; nil returns `.rateLimited` at once.
    public var rateLimitMaxWait: Duration?
    /// PEM certificates to trust instead of the system's trust store (a private CA, pinned).
    public var caPEM: String?
    /// The bound on a whole call however many requests it sends (default 60 s); rate-limit waits add to it.
    public var callTimeout: Duration?

    public init(
        userAgent: String? = nil, maxResponseBytes: UInt64? = nil, connectTimeout: Duration? = nil,
        requestTimeout: Duration? = nil, allowInsecureHttp: Bool = false, rateLimitMaxWait: Duration? = nil,
        caPEM: String? = nil, callTimeout: Duration? = nil
    ) {
        self.userAgent = userAgent
        self.maxResponseBytes = maxResponseBytes
        self.connectTimeout = connectTimeout
        self.requestTimeout = requestTimeout
        self.allowInsecureHttp = allowInsecureHttp
        self.rateLimitMaxWait = rateLimitMaxWait
        self.caPEM = caPEM
        self.callTimeout = callTimeout
    }

    /// The C struct, from `mxreg_client_options_init` with these values over it.
    func native(_ strings: CStrings) throws -> mxreg_client_options {
        var raw = initialized(mxreg_client_options()) { mxreg_client_options_init($0) }
        raw.user_agent = try strings.put("userAgent", userAgent)
        raw.ca_pem = try strings.put("caPEM", caPEM)
        raw.allow_insecure_http = allowInsecureHttp
        if let maxResponseBytes {
            // 0 would silently mean "the default" in C.
            guard maxResponseBytes > 0 else { throw MxregError(local: .invalidArgument, "maxResponseBytes must be positive") }
            raw.max_response_bytes = maxResponseBytes
        }
        if let connectTimeout { raw.connect_timeout_ms = try milliseconds("connectTimeout", connectTimeout, positive: true) }
        if let requestTimeout { raw.request_timeout_ms = try milliseconds("requestTimeout", requestTimeout, positive: true) }
        if let rateLimitMaxWait { raw.rate_limit_max_wait_ms = try milliseconds("rateLimitMaxWait", rateLimitMaxWait, positive: false) }
        if let callTimeout { raw.call_timeout_ms = try milliseconds("callTimeout", callTimeout, positive: true) }
        return raw
    }

    private func milliseconds(_ field: String, _ duration: Duration, positive: Bool) throws -> UInt32 {
        let (seconds, attoseconds) = duration.components
        let ms = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        guard ms >= (positive ? 1 : 0), ms <= Int64(UInt32.max) else {
            throw MxregError(local: .invalidArgument, "\(field) must be between \(positive ? 1 : 0) ms and \(UInt32.max) ms")
        }
        return UInt32(ms)
    }
}
