// swift-tools-version:6.2
//
// A separate package that uses the binding the way an app does: a path
// dependency on bindings/swift and its `Mxreg` product. `make test-swift`
// builds it in release mode and runs it.

import PackageDescription

let package = Package(
    name: "Consumer",
    platforms: [.macOS(.v13), .iOS(.v16)],
    dependencies: [.package(name: "Mxreg", path: "../..")],
    targets: [
        .executableTarget(
            name: "Consumer", dependencies: [.product(name: "Mxreg", package: "Mxreg")],
            swiftSettings: [.treatAllWarnings(as: .error)]),
    ]
)
