import Foundation
import GRDB
import KawalDomain

/// A beneficiary: the person a case is about.
public struct PersonRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "person"
    public var id: Int64?
    public var nik: String?
    /// HMAC of the normalised NIK under the installation's key: finds duplicates without comparing NIKs.
    public var nikHash: String?
    public var nikWarnings: [String]
    public var kkNumber: String?
    public var name: String
    /// The name folded for duplicate detection: lower case, letters and digits only, single spaces.
    public var nameKey: String
    public var sex: String?
    public var birthDate: String?
    public var village: String
    public var hamlet: String?
    public var phone: String?
    public var vulnerabilities: [String]
    public var disabilityType: String?
    public var guardian: String?
    public var documents: [String]
    public var notes: String?
    public var version: Int64
    public var createdAt: Date
    public var updatedAt: Date
    /// While set, processing is restricted: no reminders, not counted in reports.
    public var restrictedAt: Date? = nil
    public var restrictionReason: String? = nil

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    static func nameKey(_ name: String) -> String {
        if name.utf8.allSatisfy({ $0 < 0x80 }) { return asciiNameKey(name) }
        let folded = name.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
        var key = ""
        var pendingSpace = false
        for character in folded {
            if character.isLetter || character.isNumber {
                if pendingSpace && !key.isEmpty { key.append(" ") }
                key.append(character)
                pendingSpace = false
            } else {
                pendingSpace = true
            }
        }
        return key
    }

    /// `nameKey` of an ASCII name, byte by byte: Foundation's folding showed in the profile of an
    /// import, where most names are plain ASCII.
    private static func asciiNameKey(_ name: String) -> String {
        var key: [UInt8] = []
        key.reserveCapacity(name.utf8.count)
        var pendingSpace = false
        for byte in name.utf8 {
            let lower = (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte + 32 : byte
            if (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(lower) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(lower) {
                if pendingSpace && !key.isEmpty { key.append(UInt8(ascii: " ")) }
                key.append(lower)
                pendingSpace = false
            } else {
                pendingSpace = true
            }
        }
        return String(decoding: key, as: UTF8.self)
    }
}

public struct ConsentRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "consent"
    public var id: Int64?
    public var personID: Int64
    public var purpose: String
    public var granted: Bool
    public var method: String
    public var recordedAt: Date
    public var recordedBy: String
    public var note: String?
    public var givenOn: String? = nil
    /// self or guardian.
    public var givenBy: String = "self"
    public var guardianName: String? = nil
    public var proofRef: String? = nil
    public var withdrawnAt: Date? = nil
    public var withdrawalReason: String? = nil

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

public struct Reporter: Codable, Sendable, Equatable {
    public var name: String?
    public var relation: String?
    public var phone: String?
    public var confidential: Bool
    public var anonymous: Bool

    public init(name: String?, relation: String?, phone: String?, confidential: Bool, anonymous: Bool) {
        self.name = name
        self.relation = relation
        self.phone = phone
        self.confidential = confidential
        self.anonymous = anonymous
    }
}

/// Who is looking at a case's reporter.
public enum ReporterAudience: Sendable, Equatable {
    /// An administrator of the complaint centre.
    case administrator
    /// The case's handler (or a supervisor).
    case handler
    /// The person the case is about, in a subject-access export; a guardian may hand it on, and the
    /// guardian may be the one reported.
    case dataSubject
}

extension Reporter {
    /// Whether who reported is kept from `audience`: a confidential or anonymous reporter is known
    /// to administrators only.
    public func isWithheld(from audience: ReporterAudience) -> Bool {
        (confidential || anonymous) && audience != .administrator
    }

    /// The reporter as `audience` may see it: without name, relation and phone when withheld.
    ///
    /// ```swift
    /// Reporter(name: "Ibu Ani", relation: "tetangga", phone: "+6281…", confidential: true, anonymous: false)
    ///     .disclosed(to: .dataSubject)   // name, relation and phone nil; the flags stay
    /// ```
    public func disclosed(to audience: ReporterAudience) -> Reporter {
        guard isWithheld(from: audience) else { return self }
        return Reporter(name: nil, relation: nil, phone: nil, confidential: confidential, anonymous: anonymous)
    }
}

public struct CaseRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "caseFile"
    public var id: Int64?
    public var code: String
    public var personID: Int64
    public var type: String
    public var subtype: String?
    public var status: CaseStatus
    public var risk: String
    public var urgentSafety: Bool
    public var handlerID: Int64?
    public var village: String
    public var summary: String?
    public var notes: String?
    public var reporter: Reporter?
    public var openedAt: Date
    public var dueAt: Date?
    public var resolvedAt: Date?
    public var closedAt: Date?
    public var legalHold: Bool
    public var version: Int64
    public var updatedAt: Date
    /// SIMFONI-PPA categories, for violence cases.
    public var violenceForm: String? = nil
    public var violencePlace: String? = nil
    public var perpetratorRelation: String? = nil
    public var legalHoldReason: String? = nil

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

public struct CaseEventRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "caseEvent"
    public var id: Int64?
    public var caseID: Int64
    public var at: Date
    public var actor: String
    /// opened, transition, assigned, updated, note.
    public var kind: String
    public var fromValue: String?
    public var toValue: String?
    public var note: String?

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

public struct FollowUpRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "followUp"
    public var id: Int64?
    public var caseID: Int64
    public var kind: String
    public var dueAt: Date
    public var windowHours: Int64?
    public var status: FollowUpStatus
    public var outcome: String?
    public var contactMade: Bool?
    public var attempt: Int64
    public var doneAt: Date?
    public var notes: String?
    public var version: Int64
    public var createdAt: Date

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

public struct ReferralRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "referral"
    public var id: Int64?
    public var caseID: Int64
    public var serviceID: Int64
    public var status: ReferralStatus
    public var consent: String
    public var overrideReason: String?
    public var externalRef: String?
    public var deadline: Date?
    public var notes: String?
    public var version: Int64
    public var createdAt: Date
    public var updatedAt: Date

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

public struct HandlerRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "handler"
    public var id: Int64?
    public var code: String
    public var name: String
    public var unixUser: String?
    public var phone: String?
    public var email: String?
    public var language: String
    public var villages: [String]
    public var supervisorID: Int64?
    public var active: Bool
    public var version: Int64
    public var createdAt: Date
    public var updatedAt: Date

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

public struct ServiceRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "service"
    public var id: Int64?
    public var code: String
    public var name: String
    public var kind: String
    public var contact: String?

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}
