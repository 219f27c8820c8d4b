import ArgumentParser
import KawalCore
import Varlink

/// The values one enum type of the io.kawal interfaces accepts, read from the interface
/// descriptions kawalctl is built with: the command line refuses a wrong value (exit 2) before
/// kawald sees it, and the two lists cannot drift apart.
///
/// ```swift
/// @Option(transform: Choice.risk.parse) var risk: String?   // --risk HIGH → "high"
/// ```
struct Choice: Sendable {
    /// What a value is called in messages: "case type".
    let name: String
    let values: [String]

    init(_ type: String, in interface: VarlinkInterface, called name: String) {
        self.name = name
        if case .enumeration(let values)? = interface.types[type]?.type {
            self.values = values
        } else {
            // The interfaces ship inside the binary and are checked by the tests; a missing type is a build defect.
            fatalError("\(interface.name) has no enum type \(type)")
        }
    }

    /// The accepted values, for help texts: `low, medium, high`.
    var list: String { values.joined(separator: ", ") }

    /// Accepts a value in any case, with `-` for `_` (`in-progress` is `in_progress`).
    func parse(_ text: String) throws -> String {
        let value = String(text.lowercased().map { $0 == "-" ? "_" : $0 })
        guard values.contains(value) else {
            throw ValidationError("'\(text)' is not a \(name); expected one of \(list)")
        }
        return value
    }

    static let vulnerability = Choice("Vulnerability", in: KawalInterfaces.people, called: "vulnerability")
    static let document = Choice("Document", in: KawalInterfaces.people, called: "document")
    static let caseType = Choice("CaseType", in: KawalInterfaces.cases, called: "case type")
    static let caseStatus = Choice("Status", in: KawalInterfaces.cases, called: "case status")
    static let risk = Choice("Risk", in: KawalInterfaces.cases, called: "risk level")
    static let followUpKind = Choice("FollowUpKind", in: KawalInterfaces.cases, called: "follow-up kind")
    static let referralStatus = Choice("ReferralStatus", in: KawalInterfaces.cases, called: "referral status")
    static let language = Choice("Language", in: KawalInterfaces.handlers, called: "language")
    static let serviceKind = Choice("ServiceKind", in: KawalInterfaces.handlers, called: "service kind")
}
