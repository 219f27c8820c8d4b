import Foundation

/// What `kawalctl doctor` looks at, collected by kawald (`DoctorFacts+Gathering.swift`) and judged
/// by `Doctor`, which reads nothing else: the checks are tested from values like this one.
struct DoctorFacts: Sendable {
    struct Plugin: Sendable, Equatable {
        var name: String
        /// "configured" (kawald starts it) or "external" (it connected to plugins.sock).
        var origin: String
        /// starting, running, backing_off, failed, stopped, disabled.
        var state: String
        var capabilities: [String] = []
        var lastError: String?
        var lastErrorAt: Date?
    }

    /// An active handler and the channels they agreed to (in order), with the addresses they have.
    struct Handler: Sendable, Equatable {
        var code: String
        var channels: [String]
        var hasEmail: Bool
        var hasPhone: Bool

        /// The consented channels that have an address to send to (what the composer will use).
        var usableChannels: [String] {
            channels.filter { $0 == "email" ? hasEmail : hasPhone }
        }
    }

    struct Backup: Sendable, Equatable {
        var enabled: Bool
        var recipients: [String]
        var directory: String
        var maximumAge: Double
        var lastSuccess: Date?
        /// The newest backup that kawald checked against its manifest, or that was restored.
        var lastVerified: Date?
    }

    /// An `AGE-SECRET-KEY-1…` found in a file, with the recipient (public key) it opens.
    struct SecretKey: Sendable, Equatable {
        var path: String
        var recipient: String
    }

    /// A file or folder kawald depends on, as `stat` sees it; nil fields when it does not exist.
    struct FileFacts: Sendable, Equatable {
        var path: String
        var exists: Bool
        var isDirectory = false
        var mode: UInt32 = 0
        var ownerUID: UInt32 = 0
        var owner: String?
        var group: String?
    }

    struct Filesystem: Sendable, Equatable {
        var path: String
        var availableBytes: Int64
        var device: UInt64
    }

    struct PendingJobs: Sendable, Equatable {
        var kind: String
        var count: Int64
        var oldestDue: Date
    }

    var now: Date
    /// When this kawald started (a first backup gets max_age from then).
    var startedAt: Date
    var configPath: String
    var plugins: [Plugin] = []
    /// Capabilities some running owner takes jobs for (plugins and kawald's built-in workers).
    var attachedCapabilities: Set<String> = []
    var handlers: [Handler] = []
    var remindersSkipped: Int64 = 0
    var remindersFailed: Int64 = 0
    var alertHandlers: [String] = []
    /// Of `alertHandlers`, the codes that are active handlers.
    var activeAlertHandlers: [String] = []
    var alertEmails: [String] = []
    var alertPhones: [String] = []
    var backup: Backup?
    var secretKeys: [SecretKey] = []
    /// Places searched for secret keys (for the message).
    var keyPlaces: [String] = []

    var daemonUID: UInt32 = 0
    var daemonUser: String = "root"
    var stateDirectory: FileFacts
    var database: [FileFacts] = []
    var controlSocket: FileFacts?
    var controlSocketActivated = false
    var pluginsSocket: FileFacts?
    var pluginsSocketActivated = false
    var handlerGroup: String
    var pluginGroup: String

    var configuredZone: String
    var configuredZoneLoads: Bool
    /// The system's zone (/etc/localtime or $TZ), nil when it cannot be told.
    var systemZone: String?

    /// kawal.db with its WAL.
    var databaseBytes: Int64 = 0
    var stateFilesystem: Filesystem?
    var backupFilesystem: Filesystem?

    var pendingJobs: [PendingJobs] = []
}
