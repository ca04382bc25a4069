@testable import Mxreg
import CMxreg
import Testing

/// The binding's mirrors of the header's constants. Result codes need no
/// mirror to work: any value maps, with its name from the library.
struct HeaderTests {
    @Test func everyResultCodeInTheHeaderMapsByItsValue() throws {
        let codes = Header.constants("MXREG_RESULT_")
        try #require(codes.count > 30, "the header was not read: \(codes.count) codes")
        for (name, value) in codes {
            let code = ResultCode(rawValue: value)
            #expect(code.name == name)
            #expect(code.summary != "unknown result code", "\(name)")
            #expect(code.isLocal || code.isTransport || code.isServer || code == .ok, "\(name) is in no range")
        }
        #expect(ResultCode.userInUse.rawValue == codes["MXREG_RESULT_USER_IN_USE"])
    }

    @Test func everyEnumTheBindingMirrorsHasTheHeadersValues() {
        func check<E: CaseIterable & RawRepresentable>(_ type: E.Type, _ prefix: String) where E.RawValue == UInt32 {
            let header = Set(Header.constants(prefix).values)
            #expect(Set(E.allCases.map(\.rawValue)) == header, "\(E.self) against \(prefix)*")
        }
        check(SignupState.self, "MXREG_SIGNUP_STATE_")
        check(OAuthIntent.self, "MXREG_OAUTH_INTENT_")
        check(OAuthApplicationType.self, "MXREG_OAUTH_APPLICATION_TYPE_")
        check(OAuthResponseMode.self, "MXREG_OAUTH_RESPONSE_MODE_")
        check(AccountKind.self, "MXREG_ACCOUNT_KIND_")
    }

    @Test func everyStageAndSignupMethodFlagIsKnown() {
        let stages: [Stages] = [.dummy, .registrationToken, .terms, .email, .msisdn, .recaptcha, .fallback]
        #expect(Set(stages.map(\.rawValue)) == Set(Header.constants("MXREG_STAGE_").values))
        #expect(Stages(stages) == .all)
        #expect(Stages.all.rawValue == UInt32(Header.define("MXREG_STAGES_ALL") ?? ""))
        let methods: [SignupMethods] = [.legacy, .oauthCreate, .oauth, .sso, .guest]
        #expect(Set(methods.map(\.rawValue)) == Set(Header.constants("MXREG_SIGNUP_METHOD_").values))
    }

    @Test func theVersionMacrosMatchTheLibrary() {
        #expect(Header.define("MXREG_VERSION") == "\"\(MxregLibrary.version)\"")
        #expect(Header.define("MXREG_ABI_VERSION") == String(mxreg_abi_version()))
    }

    /// The Swift layer calls every function of the C API, save those it has no use for.
    @Test func everyFunctionInTheHeaderIsCalledByTheSwiftLayer() throws {
        let notNeeded = [
            "mxreg_client_clone": "a Client is shared by reference; NativeHandle keeps it alive during calls",
            "mxreg_error_code": "`check` takes the code from the call's return value",
            "mxreg_probe_unknown_parts": "ServerProbe.unknown lists the same parts, each with its code and message",
        ]
        let declared = Header.functions()
        try #require(declared.count > 100, "the header was not read: \(declared.count) functions")
        let called = Header.functions(in: Header.bindingSources)
        let missing = declared.subtracting(called).subtracting(notNeeded.keys)
        #expect(missing.isEmpty, "the Swift layer does not call \(missing.sorted())")
        #expect(Set(notNeeded.keys).isSubset(of: declared), "an exemption names a function the header no longer has")
    }
}
