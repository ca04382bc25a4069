@testable import Mxreg
import Testing

/// The check at first use: a library with another ABI version or other
/// struct sizes is refused with a message that says why. (SwiftPM links
/// libmxreg directly, so the refusals are shown on the facts a mismatched
/// library would report.)
struct LoadingTests {
    @Test func theLinkedLibraryMatchesThisBinding() throws {
        #expect(Library.mismatch(Library.linked) == nil)
        try Library.check()
        for size in Library.linked.structSizes {
            #expect(size.library == size.binding, "\(size.name)")
        }
    }

    @Test func everyRequestStructIsSizeChecked() {
        #expect(Set(Library.linked.structSizes.map(\.name)) == Header.requestStructs)
    }

    @Test func anotherAbiVersionIsRefused() throws {
        var facts = Library.linked
        facts.abiVersion = 99
        let refusal = try #require(Library.mismatch(facts))
        #expect(refusal.message.contains("ABI version 99, this binding needs \(Library.expectedAbiVersion)"), "\(refusal)")
    }

    @Test func aStructOfAnotherSizeIsRefused() throws {
        var facts = Library.linked
        facts.structSizes[1].library = 8
        let refusal = try #require(Library.mismatch(facts))
        #expect(refusal.message.contains("sizeof(mxreg_register_request) = 8, this binding's is"), "\(refusal)")
    }
}
