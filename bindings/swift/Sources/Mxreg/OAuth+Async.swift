// The `async` forms of the OAuth calls that do I/O, each on a thread of its
// own (`Offload`); cancelling the task does not interrupt the call.

extension OAuthServer {
    public func registerClient(_ metadata: OAuthClientMetadata) async throws -> OAuthRegisteredClient {
        try await Offload.run { try self.registerClient(metadata) }
    }

    public func startDeviceAuthorization(clientId: String, deviceId: String? = nil) async throws -> OAuthDeviceAuthorization {
        try await Offload.run { try self.startDeviceAuthorization(clientId: clientId, deviceId: deviceId) }
    }

    public func refreshToken(clientId: String, _ refreshToken: String) async throws -> Tokens {
        try await Offload.run { try self.refreshToken(clientId: clientId, refreshToken) }
    }

    public func revokeToken(clientId: String, _ token: String) async throws {
        try await Offload.run { try self.revokeToken(clientId: clientId, token) }
    }
}

extension OAuthAuthorization {
    public func complete(redirectURL: String) async throws -> Registration {
        try await Offload.run { try self.complete(redirectURL: redirectURL) }
    }
}

extension OAuthDeviceAuthorization {
    public func poll() async throws -> Registration { try await Offload.run { try self.poll() } }

    public func wait() async throws -> Registration { try await Offload.run { try self.wait() } }
}
