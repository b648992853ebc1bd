// swift-tools-version:6.0
import PackageDescription

// One setting list for every Swift target, so the whole tree compiles under the same rules.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "sluice",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "sluice", targets: ["SluiceCLI"]),
        .executable(name: "sluice-bench", targets: ["SluiceBench"]),
        .executable(name: "sluice-chaos", targets: ["SluiceChaosCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "5.0.1"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        // Already in the graph through Hummingbird; the edge names it to own its event loop.
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.0"),
        // Also already in the graph; the edge's HTTP channel uses its HTTP/1 ↔ HTTPTypes codec.
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        // The console's server-rendered pages.
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
    ],
    targets: [
        // C libraries, fenced: only SluiceRedis imports CHiredis, only SluiceDelivery imports CCurl.
        .systemLibrary(
            name: "CHiredis",
            pkgConfig: "hiredis",
            providers: [.apt(["libhiredis-dev"])]
        ),
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        // jemalloc replaces glibc's malloc in the `sluice` executable only (see Allocator.swift).
        .systemLibrary(
            name: "CJemalloc",
            pkgConfig: "jemalloc",
            providers: [.apt(["libjemalloc-dev"])]
        ),

        // Pure domain: signatures, routes, retry maths. No I/O, no C.
        .target(
            name: "SluiceCore",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SluiceRedis",
            dependencies: [
                "CHiredis",
                "SluiceCore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                // RedisLoopConnection: the edge's Redis I/O on its own SwiftNIO event loop.
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SluiceDelivery",
            dependencies: [
                "CCurl",
                "SluiceCore",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // What every long-running process shares: config file loading and hot reload, metrics, logging.
        .target(
            name: "SluiceRuntime",
            dependencies: [
                "SluiceCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SluiceEdge",
            dependencies: [
                "SluiceCore",
                "SluiceRuntime",
                "SluiceRedis",
                "SluiceDelivery",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // The worker process: router stage, delivery stage, retry mover, reclaimer, metrics endpoint.
        .target(
            name: "SluiceWorker",
            dependencies: [
                "SluiceCore",
                "SluiceRedis",
                "SluiceDelivery",
                "SluiceRuntime",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // The operator console: server-rendered pages over Redis, read-mostly, token-guarded actions.
        .target(
            name: "SluiceConsole",
            dependencies: [
                "SluiceCore",
                "SluiceRedis",
                "SluiceRuntime",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "SluiceCLI",
            dependencies: [
                "SluiceCore",
                "SluiceRuntime",
                "SluiceRedis",
                "SluiceEdge",
                "SluiceWorker",
                "SluiceConsole",
                // Linux only: on macOS the system allocator cannot be replaced by linking another.
                .target(name: "CJemalloc", condition: .when(platforms: [.linux])),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "SluiceBench",
            dependencies: [
                "SluiceCore",
                "SluiceDelivery",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // The chaos harness: real redis-server, edge and worker processes through named faults,
        // with per-event accounting. A library so the short form runs in `swift test`.
        .target(
            name: "SluiceChaos",
            dependencies: ["SluiceCore", "SluiceRedis", "SluiceDelivery", "SluiceTesting"],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "SluiceChaosCLI",
            dependencies: ["SluiceChaos", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: swiftSettings
        ),
        // Fixtures for tests: a real redis-server, real HTTP sinks, bounded polling.
        .target(
            name: "SluiceTesting",
            dependencies: [
                "SluiceCore",
                "SluiceRedis",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),

        .testTarget(name: "SluiceCoreTests", dependencies: ["SluiceCore", "SluiceTesting"], swiftSettings: swiftSettings),
        .testTarget(
            name: "SluiceRedisTests",
            dependencies: [
                "SluiceRedis", "SluiceTesting",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "SluiceDeliveryTests", dependencies: ["SluiceDelivery", "SluiceTesting"], swiftSettings: swiftSettings),
        .testTarget(
            name: "SluiceWorkerTests",
            dependencies: [
                "SluiceWorker", "SluiceEdge", "SluiceRuntime", "SluiceTesting", "SluiceRedis", "SluiceCore", "SluiceDelivery",
            ],
            swiftSettings: swiftSettings
        ),
        // Runs the real `sluice` binary as separate processes: signals, exit codes, crashes.
        .testTarget(
            name: "SluiceIntegrationTests",
            dependencies: ["SluiceTesting", "SluiceRedis", "SluiceCore", "SluiceDelivery", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings
        ),
        // Every chaos scenario in its short form against the debug `sluice` binary.
        .testTarget(
            name: "SluiceConsoleTests", dependencies: ["SluiceConsole", "SluiceRedis", "SluiceTesting", "SluiceDelivery"],
            swiftSettings: swiftSettings),
        .testTarget(name: "SluiceChaosTests", dependencies: ["SluiceChaos"], swiftSettings: swiftSettings),
        // The Helm chart, the Dockerfile and the monitoring examples, checked offline.
        .testTarget(name: "SluiceDeployTests", dependencies: ["SluiceTesting", "SluiceRedis"], swiftSettings: swiftSettings),
        .testTarget(
            name: "SluiceEdgeTests",
            dependencies: [
                "SluiceEdge", "SluiceRuntime", "SluiceTesting", "SluiceRedis", "SluiceCore", "SluiceDelivery",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
