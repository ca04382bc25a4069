// The `async` forms of `Signup`'s steps, each on a thread of its own
// (`Offload`); cancelling the task does not interrupt the step.

extension Signup {
    public func start() async throws { try await Offload.run { try self.start() } }

    public func submitToken(_ token: String) async throws { try await Offload.run { try self.submitToken(token) } }

    public func acceptTerms() async throws { try await Offload.run { try self.acceptTerms() } }

    public func requestEmailToken(_ email: String, nextLink: String? = nil) async throws {
        try await Offload.run { try self.requestEmailToken(email, nextLink: nextLink) }
    }

    public func checkEmail() async throws -> Bool { try await Offload.run { try self.checkEmail() } }

    public func submitEmailCode(_ code: String) async throws { try await Offload.run { try self.submitEmailCode(code) } }

    public func recover() async throws { try await Offload.run { try self.recover() } }

    public func requestMsisdnToken(country: String, phoneNumber: String) async throws {
        try await Offload.run { try self.requestMsisdnToken(country: country, phoneNumber: phoneNumber) }
    }

    public func submitMsisdnCode(_ code: String) async throws { try await Offload.run { try self.submitMsisdnCode(code) } }

    public func submitRecaptcha(_ response: String) async throws { try await Offload.run { try self.submitRecaptcha(response) } }

    public func fallbackDone() async throws { try await Offload.run { try self.fallbackDone() } }

    public func submitAuth(_ auth: Auth) async throws { try await Offload.run { try self.submitAuth(auth) } }
}
