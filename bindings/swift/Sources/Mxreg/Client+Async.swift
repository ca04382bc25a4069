// The `async` forms of `Client`'s blocking calls. Each runs the blocking
// call on a thread of its own (`Offload`); cancelling the task does not
// interrupt it: the task resumes with its result when it returns.

extension Client {
    public func register(_ request: RegisterRequest) async throws -> Registration {
        try await Offload.run { try self.register(request) }
    }

    public func recoverRegistration(_ request: RegisterRequest) async throws -> Registration {
        try await Offload.run { try self.recoverRegistration(request) }
    }

    public func login(_ request: LoginRequest) async throws -> Registration {
        try await Offload.run { try self.login(request) }
    }

    public func ssoURL(identityProvider: String? = nil, redirectURL: String, action: SSOAction = .register) async throws -> String {
        try await Offload.run { try self.ssoURL(identityProvider: identityProvider, redirectURL: redirectURL, action: action) }
    }

    public func ssoComplete(receivedRedirectURL: String) async throws -> Registration {
        try await Offload.run { try self.ssoComplete(receivedRedirectURL: receivedRedirectURL) }
    }

    public func registerGuest(initialDeviceDisplayName: String? = nil) async throws -> Registration {
        try await Offload.run { try self.registerGuest(initialDeviceDisplayName: initialDeviceDisplayName) }
    }

    public func refresh(_ refreshToken: String) async throws -> Tokens {
        try await Offload.run { try self.refresh(refreshToken) }
    }

    public func usernameAvailable(_ username: String) async throws -> Bool {
        try await Offload.run { try self.usernameAvailable(username) }
    }

    public func registrationTokenValid(_ token: String) async throws -> Bool {
        try await Offload.run { try self.registrationTokenValid(token) }
    }

    public func discoverOAuthServer() async throws -> OAuthServer {
        try await Offload.run { try self.discoverOAuthServer() }
    }
}
