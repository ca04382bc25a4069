// Checks a username locally, then (given a homeserver URL) probes it for
// the sign-up it offers with the async API: enough to prove that the
// package links and runs from another package.

import Mxreg

@main
struct Consumer {
    static func main() async throws {
        try Username.check("alice")
        print("mxreg \(MxregLibrary.version): 'alice' is a valid localpart")
        guard CommandLine.arguments.count > 1 else { return }
        let probe = try await ServerProbe.probe(CommandLine.arguments[1])
        print("\(probe.homeserverURL) offers legacy sign-up: \(probe.signupMethods.contains(.legacy))")
    }
}
