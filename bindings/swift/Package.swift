// swift-tools-version:6.2
//
// The Swift binding of mxreg: a C module over include/mxreg.h (CMxreg), the
// idiomatic API (Mxreg), its tests, and the mxreg-register example.
//
// Where libmxreg comes from is one setting, the MXREG_LIB_DIR environment
// variable read when SwiftPM loads this manifest:
//   unset            the repository's cargo build directory (target/debug)
//   a directory      another build directory (-L and an rpath to it)
//   pkg-config       an installed prefix found through pkg-config (mxreg.pc),
//                    e.g. a release build after `make install PREFIX=...`
// On Apple platforms use the XCFramework described in README.md instead.

import Foundation
import PackageDescription

let packageDir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
let repository = packageDir.deletingLastPathComponent().deletingLastPathComponent()
let librarySetting = ProcessInfo.processInfo.environment["MXREG_LIB_DIR"]
    ?? repository.appendingPathComponent("target/debug").path
let usePkgConfig = librarySetting == "pkg-config"

let linkFromDirectory: [LinkerSetting] = usePkgConfig
    ? []
    : [.unsafeFlags(["-L\(librarySetting)", "-Xlinker", "-rpath", "-Xlinker", librarySetting])]

// Swift 6 language mode checks concurrency strictly; warnings are errors.
let strict: [SwiftSetting] = [.treatAllWarnings(as: .error)]

let package = Package(
    name: "Mxreg",
    platforms: [.macOS(.v13), .iOS(.v16)],  // Duration
    products: [
        .library(name: "Mxreg", targets: ["Mxreg"]),
        .executable(name: "mxreg-register", targets: ["mxreg-register"]),
    ],
    targets: [
        .systemLibrary(name: "CMxreg", path: "Sources/CMxreg", pkgConfig: usePkgConfig ? "mxreg" : nil),
        .target(name: "Mxreg", dependencies: ["CMxreg"], swiftSettings: strict, linkerSettings: linkFromDirectory),
        .executableTarget(name: "mxreg-register", dependencies: ["Mxreg"], swiftSettings: strict),
        .testTarget(name: "MxregTests", dependencies: ["Mxreg", "CMxreg"], swiftSettings: strict),
    ],
    swiftLanguageModes: [.v6]
)
