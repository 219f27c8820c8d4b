import ArgumentParser
import Varlink

/// A case as people type it: a number is its id (`12`), anything else its code (`K-2025-0001`).
enum CaseReference: ExpressibleByArgument {
    case id(Int64)
    case code(String)

    init?(argument: String) {
        if let id = Int64(argument) {
            guard id > 0 else { return nil }
            self = .id(id)
        } else if argument.first?.isLetter == true {
            self = .code(argument.uppercased())
        } else {
            return nil
        }
    }

    /// The parameters of io.kawal.Cases.Get.
    var parameters: [String: JSONValue] {
        switch self {
        case .id(let id): return ["id": .int(id)]
        case .code(let code): return ["code": .string(code)]
        }
    }
}
