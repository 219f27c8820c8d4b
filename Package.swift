// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "kawal",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "kawald", targets: ["kawald"]),
        .executable(name: "kawalctl", targets: ["kawalctl"]),
        .library(name: "Varlink", targets: ["Varlink"]),
        .library(name: "VarlinkNIO", targets: ["VarlinkNIO"]),
        .library(name: "KawalTesting", targets: ["KawalTesting"]),
        .library(name: "KawalPluginKit", targets: ["KawalPluginKit"]),
        .executable(name: "kawal-plugins", targets: ["kawal-plugins"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // The varlink protocol: JSON values, framing, IDL, dispatch, a blocking client. No Kawal knowledge.
        .target(name: "Varlink"),
        // A varlink server on SwiftNIO.
        .target(
            name: "VarlinkNIO",
            dependencies: [
                "Varlink",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        // Starting a program with posix_spawn: its descriptors, environment and signals; how it ended. No Kawal knowledge.
        .target(name: "ProcessSpawn", dependencies: ["CLinux"]),
        .systemLibrary(name: "CSystemd", pkgConfig: "libsystemd", providers: [.apt(["libsystemd-dev"])]),
        // sd_notify, the watchdog, socket activation and a journald log handler. No Kawal knowledge.
        .target(
            name: "SystemdKit",
            dependencies: ["CSystemd", .product(name: "Logging", package: "swift-log")]
        ),
        // The domain's decisions as pure values: vocabularies and states, the case lifecycle, who may do
        // what, follow-up plans, reminder planning and dispatch. No I/O, no database; tested with an injected clock.
        .target(name: "KawalDomain"),
        // What kawald and kawalctl share: the io.kawal interfaces, roles, default paths, exit codes, the NIK and its regions.
        .target(
            name: "KawalCore",
            dependencies: ["KawalDomain", "Varlink", .product(name: "Logging", package: "swift-log")],
            resources: [.embedInCode("Interfaces"), .embedInCode("Regions")]
        ),
        // systemd calendar expressions (OnCalendar= syntax): parsing, normalised form, next elapse; tzdata read as glibc reads it.
        .target(name: "KawalCalendar"),
        // The wire shapes, each one Codable type, and WireJSON, the one JSON configuration they travel in:
        // plugin jobs and their results, the notify payload, internal job payloads, the backup manifest.
        .target(name: "KawalContracts"),
        // The case store: SQLite through GRDB.
        .target(
            name: "KawalStore",
            dependencies: ["KawalCore", "KawalDomain", "KawalContracts", "KawalCalendar", "KawalBackup", .product(name: "GRDB", package: "GRDB.swift"), .product(name: "GRDBSQLite", package: "GRDB.swift"),
                           .product(name: "Crypto", package: "swift-crypto")]
        ),
        // De-identified reports: small-count suppression and the table, CSV, Markdown and HTML renderings. Pure.
        .target(name: "KawalReports", resources: [.embedInCode("Templates")]),
        // The scheduler's pure parts (heap, leases, back-off) and its wall-clock timer.
        .target(name: "KawalScheduler", dependencies: ["CLinux"]),
        .systemLibrary(name: "CLinux"),
        // The daemon: services (control server, watchdog, reload) assembled into a ServiceGroup.
        .target(
            name: "KawalDaemon",
            dependencies: [
                "KawalCore", "KawalDomain", "KawalStore", "KawalScheduler", "KawalCalendar", "KawalBackup", "KawalReports", "Varlink", "VarlinkNIO", "SystemdKit", "CLinux",
                "KawalPluginKit", "KawalAge", "KawalContracts", "ProcessSpawn",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "TOMLKit", package: "TOMLKit"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .executableTarget(
            name: "kawald",
            dependencies: ["KawalDaemon", .product(name: "ArgumentParser", package: "swift-argument-parser"), .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio")]
        ),
        .executableTarget(
            name: "kawalctl",
            dependencies: ["KawalCore", "KawalCalendar", "KawalContracts", "ProcessSpawn", "Varlink", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        // The age v1 file format (X25519 recipients, STREAM payload) on swift-crypto.
        .target(name: "KawalAge", dependencies: [.product(name: "Crypto", package: "swift-crypto")]),
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        // Streaming zstd through libzstd.
        .target(name: "KawalZstd", dependencies: ["CZstd"]),
        // What kawald and the backup plugin share: the names in a backup folder and its catalogue, retention, atomic
        // files, and the inspection of a database file.
        .target(name: "KawalBackup", dependencies: ["KawalContracts", .product(name: "GRDB", package: "GRDB.swift")]),
        // The backup plugin: snapshot from kawald, zstd, age; also the decrypt/verify tool kawalctl runs.
        .target(
            name: "BackupPlugin",
            dependencies: ["KawalBackup", "KawalContracts", "KawalAge", "KawalZstd", "KawalPluginKit", "KawalCore", "ProcessSpawn", "Varlink", .product(name: "GRDB", package: "GRDB.swift"),
                           .product(name: "Crypto", package: "swift-crypto")],
            path: "plugins/backup"
        ),
        // For plugin authors: connect, register, receive jobs, ack or fail them.
        .target(name: "KawalPluginKit", dependencies: ["Varlink", "KawalContracts"]),
        // What the notifier plugins share: reading the payload kawald sends, delivered keys, child processes, and the
        // pure parts of each channel (RFC 5322 messages, SMS encodings and phone numbers, webhook signatures).
        .target(
            name: "NotifyKit",
            dependencies: [
                "KawalPluginKit", "KawalContracts", "ProcessSpawn", .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "plugins/NotifyKit"
        ),
        .target(
            name: "NotifyEmailPlugin",
            dependencies: ["NotifyKit", "KawalPluginKit", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "plugins/notify-email"
        ),
        .target(
            name: "NotifySMSPlugin",
            dependencies: ["NotifyKit", "KawalPluginKit", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "plugins/notify-sms"
        ),
        .target(
            name: "NotifyWebhookPlugin",
            dependencies: [
                "NotifyKit", "KawalPluginKit", .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"), .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            path: "plugins/notify-webhook"
        ),
        // Hands the SMS gammu-smsd receives to kawald (gammu-smsd's RunOnReceive program).
        .target(
            name: "SMSInboundPlugin",
            dependencies: ["KawalPluginKit", "KawalContracts", "Varlink", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "plugins/sms-inbound"
        ),
        // Takes handlers' messages from a chat gateway as signed webhooks and hands them to kawald.
        .target(
            name: "WebhookInboundPlugin",
            dependencies: [
                "NotifyKit", "KawalPluginKit", "KawalContracts", "Varlink", .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "plugins/webhook-inbound"
        ),
        // The one program behind every shipped plugin: /usr/lib/kawal/plugins/NAME links to it.
        .executableTarget(
            name: "kawal-plugins",
            dependencies: ["BackupPlugin", "NotifyEmailPlugin", "NotifySMSPlugin", "NotifyWebhookPlugin", "SMSInboundPlugin", "WebhookInboundPlugin"],
            path: "plugins/kawal-plugins"
        ),
        // A plugin that misbehaves on request, for the scheduler's tests.
        .executableTarget(name: "kawal-test-plugin", dependencies: ["KawalPluginKit"], path: "Tests/KawalTestPlugin"),
        // Starts a real kawald in a temporary directory: for our end-to-end tests and for plugin authors; and the
        // helpers tests share (waiting on a condition, a store on a hand-moved clock, recording a person).
        .target(name: "KawalTesting", dependencies: ["Varlink", "KawalCore", "KawalStore"]),
        // Serves org.varlink.certification so the Python varlink package can certify our implementation.
        .executableTarget(
            name: "varlink-certification-server",
            dependencies: ["Varlink", "VarlinkNIO", .product(name: "NIOPosix", package: "swift-nio")],
            path: "Tests/VarlinkCertificationServer"
        ),
        // Load generator for `make bench`.
        .executableTarget(name: "kawal-bench", dependencies: ["Varlink"], path: "Benchmarks/kawal-bench"),
        .testTarget(name: "VarlinkTests", dependencies: ["Varlink", "VarlinkNIO", .product(name: "NIOPosix", package: "swift-nio"), .product(name: "NIOCore", package: "swift-nio")]),
        .testTarget(name: "SystemdKitTests", dependencies: ["SystemdKit"]),
        .testTarget(name: "KawalSchedulerTests", dependencies: ["KawalScheduler"]),
        .testTarget(name: "KawalCalendarTests", dependencies: ["KawalCalendar"]),
        .systemLibrary(name: "CZlib", path: "Tests/CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .testTarget(name: "KawalBackupTests", dependencies: ["KawalAge", "KawalZstd", "KawalBackup", "KawalContracts", "KawalTesting", "CZlib", .product(name: "Crypto", package: "swift-crypto")]),
        .testTarget(name: "KawalStoreTests", dependencies: ["KawalStore", "KawalCore", "KawalBackup", "KawalTesting", "Varlink", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "KawalDaemonTests", dependencies: ["KawalDaemon", "KawalCore", "KawalStore", "KawalReports", "KawalAge", "KawalTesting", "Varlink",
                                                       .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "KawalReportsTests", dependencies: ["KawalReports"]),
        .testTarget(name: "KawalCoreTests", dependencies: ["KawalCore", "KawalTesting"]),
        .testTarget(name: "KawalDomainTests", dependencies: ["KawalDomain", "KawalCore", "Varlink"]),
        .testTarget(name: "KawalEndToEndTests", dependencies: ["KawalTesting", "Varlink", "KawalCore"]),
        .testTarget(name: "NotifyKitTests", dependencies: ["NotifyKit", "KawalPluginKit", "KawalContracts"]),
        .testTarget(name: "WebhookInboundPluginTests", dependencies: ["WebhookInboundPlugin", "NotifyKit", "KawalContracts"]),
        .testTarget(name: "KawalContractsTests", dependencies: ["KawalContracts", "KawalPluginKit", "Varlink"]),
    ],
    swiftLanguageModes: [.v6]
)
