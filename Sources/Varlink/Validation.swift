extension VarlinkInterface {
    /// Checks `parameters` against a struct of this interface. Returns the dotted path of the
    /// first parameter that does not fit (`person.birth_date`, `names[2]`), or nil when all fit.
    ///
    /// Optional fields may be absent or null; fields the struct does not declare are refused,
    /// so that a misspelt parameter is reported instead of silently ignored.
    public func firstInvalidParameter(_ parameters: [String: JSONValue], against structure: VarlinkStruct) -> String? {
        validate(object: parameters, against: structure, path: "")
    }

    func validate(object: [String: JSONValue], against structure: VarlinkStruct, path: String) -> String? {
        for field in structure.fields {
            let fieldPath = path.isEmpty ? field.name : path + "." + field.name
            if let problem = validate(object[field.name] ?? .null, against: field.type, path: fieldPath, present: object[field.name] != nil) {
                return problem
            }
        }
        if object.count > structure.fields.count || object.keys.contains(where: { key in !structure.fields.contains { $0.name == key } }) {
            let unknown = object.keys.sorted().first { key in !structure.fields.contains { $0.name == key } }!
            return path.isEmpty ? unknown : path + "." + unknown
        }
        return nil
    }

    func validate(_ value: JSONValue, against type: VarlinkType, path: String, present: Bool = true) -> String? {
        if case .optional(let wrapped) = type {
            if case .null = value { return nil }
            return validate(value, against: wrapped, path: path)
        }
        switch (type, value) {
        case (.bool, .bool), (.string, .string), (.object, .object), (.float, .int), (.float, .double):
            return nil
        case (.int, _) where value.intValue != nil:
            return nil
        case (.named(let name), _):
            guard let alias = types[name] else { return path }
            return validate(value, against: alias.type, path: path)
        case (.enumeration(let cases), .string(let s)):
            return cases.contains(s) ? nil : path
        case (.array(let element), .array(let elements)):
            for (i, e) in elements.enumerated() {
                if let problem = validate(e, against: element, path: "\(path)[\(i)]") { return problem }
            }
            return nil
        case (.dictionary(let valueType), .object(let members)):
            for key in members.keys.sorted() {
                if let problem = validate(members[key]!, against: valueType, path: "\(path)[\(key)]") { return problem }
            }
            return nil
        case (.structure(let s), .object(let members)):
            return validate(object: members, against: s, path: path)
        default:
            return path
        }
    }
}
