// swift-tools-version:6.0
import PackageDescription

// Dynamic exclusivity checks cost about a tenth of the mock's instructions per request
// (bench/analysis.md). Release builds of the modules on the request path leave them out;
// debug builds, which every test runs, keep them, so an overlapping access still traps there.
let hotPath: [SwiftSetting] = [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]

let package = Package(
    name: "fault-lab",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "lab", targets: ["LabRunner"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        .systemLibrary(name: "CLibUV", pkgConfig: "libuv", providers: [.apt(["libuv1-dev"])]),
        .systemLibrary(name: "CHTTPParser", providers: [.apt(["libhttp-parser-dev"])]),
        .target(name: "LabCore", swiftSettings: hotPath),
        .target(name: "LabHTTP", dependencies: ["CLibUV", "CHTTPParser", "LabCore"], swiftSettings: hotPath),
        .target(name: "MockOllama", dependencies: ["LabHTTP", "LabCore"], swiftSettings: hotPath),
        .target(name: "FaultInjector", dependencies: ["LabHTTP", "LabCore"], swiftSettings: hotPath, plugins: ["FaultCatalogueGenerator"]),
        // Lists FaultInjector's fault kinds and schedules when it builds (see the plugin).
        .executableTarget(name: "CatalogueScanner"),
        .plugin(name: "FaultCatalogueGenerator", capability: .buildTool(), dependencies: ["CatalogueScanner"]),
        .target(name: "MockVendors", dependencies: ["LabHTTP", "LabCore", "MockOllama", "FaultInjector"]),
        .target(name: "Gateway", dependencies: ["LabHTTP", "LabCore"], swiftSettings: hotPath),
        .target(name: "ProviderHost", dependencies: ["LabHTTP", "LabCore", "FaultInjector", "MockOllama"], swiftSettings: hotPath),
        .target(name: "LabKit", dependencies: [
            "LabHTTP", "LabCore", "MockOllama", "MockVendors", "FaultInjector", "ProviderHost", "Gateway",
            .product(name: "Yams", package: "Yams"),
        ]),
        .executableTarget(name: "LabRunner", dependencies: [
            "LabKit",
            "LabHTTP", "LabCore", "MockOllama", "MockVendors", "FaultInjector", "ProviderHost", "Gateway",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .testTarget(name: "LabCoreTests", dependencies: ["LabCore"]),
        .testTarget(name: "LabHTTPTests", dependencies: ["LabHTTP"]),
        .testTarget(name: "MockOllamaTests", dependencies: ["MockOllama", "LabHTTP", "LabCore"]),
        .testTarget(name: "MockVendorsTests", dependencies: ["MockVendors", "MockOllama", "FaultInjector", "LabHTTP", "LabCore"]),
        .testTarget(name: "LabKitTests", dependencies: ["LabKit", "LabCore", "LabHTTP", "Gateway", "ProviderHost", "MockOllama"]),
        .testTarget(name: "GatewayTests", dependencies: ["Gateway", "LabHTTP", "LabCore", "ProviderHost", "MockOllama", "FaultInjector"]),
        .testTarget(name: "FaultInjectorTests", dependencies: ["FaultInjector", "LabHTTP", "LabCore"]),
        .testTarget(name: "ProviderHostTests", dependencies: ["ProviderHost", "FaultInjector", "MockOllama", "LabHTTP", "LabCore"]),
    ],
    swiftLanguageModes: [.v6]
)
