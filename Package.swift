// swift-tools-version: 6.0
//
// dialgate: a phone dial-in gateway for online meetings.
// Layers (DESIGN.md §2): C libraries → pure cores → protocol → domain → adapters → executables.
// A lower layer never imports a higher one.
import PackageDescription

/// The per-packet cores are generic (the jitter buffer over its frame type, the source latch over
/// its address type); cross-module optimisation lets release builds specialise them in the
/// modules that use them instead of calling through generic witnesses on every packet.
let perPacketSettings: [SwiftSetting] = [.unsafeFlags(["-cross-module-optimization"], .when(configuration: .release))]

let package = Package(
    name: "dialgate",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "dialgate", targets: ["dialgate"]),
        .executable(name: "dialgatectl", targets: ["dialgatectl"]),
        .executable(name: "dialgate-participant", targets: ["dialgate-participant"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
    ],
    targets: [
        // C libraries, found with pkg-config (Debian: libopus-dev, libsrtp2-dev, libsodium-dev).
        .systemLibrary(name: "COpus", pkgConfig: "opus", providers: [.apt(["libopus-dev"])]),
        .systemLibrary(name: "CSRTP", pkgConfig: "libsrtp2", providers: [.apt(["libsrtp2-dev"])]),
        .systemLibrary(name: "CSodium", pkgConfig: "libsodium", providers: [.apt(["libsodium-dev"])]),

        // Pure cores: no sockets, no clocks, no globals.
        .target(name: "SIP", dependencies: [.product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "SDP"),
        .target(name: "RTP", swiftSettings: perPacketSettings),
        .target(
            name: "Media", dependencies: ["COpus", "CSRTP"],
            // Spoken prompts (scripts/make-prompts) ship in the target's bundle; their texts are the source, not a resource.
            exclude: ["Prompts/prompts.txt"], resources: [.copy("Prompts/Audio")], swiftSettings: perPacketSettings),
        .target(name: "Frames", dependencies: ["CSodium"]),
        // One phone leg's media: RTP, SRTP, jitter buffer, codec, DTMF, RTCP, playback.
        .target(name: "LegMedia", dependencies: ["RTP", "Media"], swiftSettings: perPacketSettings),

        // Domain: routing decisions and the call core that drives SIP dialogs.
        .target(name: "Dialplan", dependencies: ["SIP"]),
        .target(name: "Calls", dependencies: ["SIP", "SDP", "Media", "Dialplan"]),
        // One meeting's live roster, participant protocol and forwarding decisions (pure: no sockets, no clocks).
        .target(name: "Meetings", dependencies: ["Frames", "Media"]),

        // The one command model of the control API (versioned Codable values).
        .target(name: "ControlAPI"),

        // Adapters: sockets, time, storage.
        .target(
            name: "Gateway",
            dependencies: [
                "SIP", "SDP", "RTP", "Media", "LegMedia", "Frames", "Dialplan", "Calls", "ControlAPI", "Meetings",
                "ParticipantTransport",
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),

        // The participant protocol's WebSocket transport, shared by the gateway and the client.
        .target(
            name: "ParticipantTransport",
            dependencies: [
                "Frames",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),

        // A meeting client other Swift programs can use: join, keys, Opus + SFrame audio, recording.
        .target(
            name: "ParticipantClient",
            dependencies: [
                "Meetings", "Frames", "Media", "ParticipantTransport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]
        ),

        // Thin executables.
        .executableTarget(
            name: "dialgate",
            dependencies: [
                "Gateway", "Calls", "Dialplan", "Media",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "dialgatectl",
            dependencies: [
                "ControlAPI",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),

        .executableTarget(
            name: "dialgate-participant",
            dependencies: [
                "ParticipantClient", "ParticipantTransport", "Frames", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // Release-build benchmarks (run with scripts/bench).
        .executableTarget(
            name: "SIPBenchmarks", dependencies: ["SIP", "Calls", "Dialplan", "TestSupport"], path: "Benchmarks/SIPBenchmarks"),
        .executableTarget(
            name: "MediaBenchmarks", dependencies: ["LegMedia", "Media", "RTP", "Meetings", "Frames", "AllocationCounter"],
            path: "Benchmarks/MediaBenchmarks"),
        // Counts every heap allocation of the process it is linked into (its malloc family interposes
        // glibc's): MediaBenchmarks only, never a product or another target.
        .target(name: "AllocationCounter", path: "Benchmarks/AllocationCounter"),
        // What the load programs share: arguments, output lines, failure.
        .target(name: "LoadSupport", path: "Benchmarks/LoadSupport"),
        // E2EE forwarding load clients and the bare relay baseline (run by scripts/load).
        .executableTarget(
            name: "ForwardingLoad",
            dependencies: [
                "LoadSupport", "Meetings", "Frames", "ParticipantTransport", .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"), .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            path: "Benchmarks/ForwardingLoad"),
        // Concurrent transcoded legs: SIP/RTP phones and app participants in standard meetings (run by scripts/load).
        .executableTarget(
            name: "LegsLoad",
            dependencies: [
                "LoadSupport", "ParticipantClient", "Meetings", "Frames", "Media", "ParticipantTransport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"), .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            path: "Benchmarks/LegsLoad"),

        // Tests sit next to the layer they test; TestSupport holds what several test targets share.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "SIPTests", dependencies: ["TestSupport", "SIP"], resources: [.copy("Vectors")]),
        .testTarget(name: "SDPTests", dependencies: ["TestSupport", "SDP"], resources: [.copy("Vectors")]),
        .testTarget(name: "RTPTests", dependencies: ["TestSupport", "RTP"], resources: [.copy("Vectors")]),
        .testTarget(name: "MediaTests", dependencies: ["TestSupport", "Media"], resources: [.copy("Vectors")]),
        .testTarget(name: "FramesTests", dependencies: ["TestSupport", "Frames"], resources: [.copy("Vectors")]),
        .testTarget(name: "DialplanTests", dependencies: ["TestSupport", "Dialplan"]),
        .testTarget(name: "LegMediaTests", dependencies: ["TestSupport", "LegMedia", "RTP", "Media"]),
        .testTarget(name: "CallsTests", dependencies: ["TestSupport", "Calls", "SIP", "SDP", "Dialplan"]),
        .testTarget(name: "ControlAPITests", dependencies: ["TestSupport", "ControlAPI"]),
        .testTarget(name: "MeetingsTests", dependencies: ["TestSupport", "Meetings", "Media", "Frames"]),
        .testTarget(
            name: "ParticipantTransportTests",
            dependencies: [
                "ParticipantTransport", .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .testTarget(
            name: "ParticipantClientTests",
            dependencies: ["ParticipantClient", "Frames", "Meetings", "Media", .product(name: "NIOCore", package: "swift-nio")]
        ),
        .testTarget(
            name: "GatewayTests",
            dependencies: [
                "TestSupport", "Gateway", "ControlAPI", "SIP", "Media", "Meetings", "Frames", "ParticipantTransport", "ParticipantClient",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            // sipp scenarios and softphone test audio, read from the source tree by path (#filePath).
            exclude: ["Scenarios", "Fixtures"]
        ),
    ]
)
