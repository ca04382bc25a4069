// mxreg-register: create a Matrix account through the Swift binding.
//
//   mxreg-register <homeserver-url> <username> <password>
//
// The same contract as examples/register.c: completes the server's
// user-interactive auth when it only needs m.login.dummy, then prints one
// JSON object with the user ID, device ID, token lifetime and whether a
// refresh token came back (never the tokens). On failure prints the result
// name, errcode and message to stderr and exits 1.

import Foundation
import Mxreg

func fail(_ what: String, _ error: Error) -> Never {
    if let error = error as? MxregError {
        let errcode = error.errcode.map { " \($0)" } ?? ""
        printError("register: \(what) failed: \(error.code.name) (\(error.code.rawValue))\(errcode): \(error.message)")
    } else {
        printError("register: \(what) failed: \(error)")
    }
    exit(1)
}

func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}

func jsonString(_ text: String?) -> String {
    guard let text else { return "null" }
    return "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
}

let arguments = CommandLine.arguments
guard arguments.count == 4 else {
    printError("usage: \(arguments[0]) <homeserver-url> <username> <password>")
    exit(2)
}

let client: Client
do {
    client = try Client(arguments[1])
} catch {
    fail("client", error)
}

// The first request usually answers with the flows; a dummy stage completes
// the simplest one. Three attempts are more than enough.
var request = RegisterRequest(username: arguments[2], password: arguments[3], initialDeviceDisplayName: "mxreg example")
var registration: Registration?
for _ in 0..<3 where registration == nil {
    do {
        registration = try client.register(request)
    } catch let error as MxregError where error.code == .authRequired {
        guard let info = error.authInfo, info.firstFlow(within: [AuthStage.dummy]) != nil else {
            printError("register: the server needs stages this example does not handle (try examples/signup)")
            fail("registration", error)
        }
        request = request.with(auth: .dummy(session: info.session))
    } catch {
        fail("registration", error)
    }
}
guard let registration else {
    printError("register: the server kept asking for stages")
    exit(1)
}
let expires = registration.expiresInMs.map(String.init) ?? "null"
print("{\"user_id\":\(jsonString(registration.userId)),\"device_id\":\(jsonString(registration.deviceId)),"
    + "\"expires_in_ms\":\(expires),\"refresh_token\":\(registration.refreshToken != nil)}")
client.close()
