import Varlink

extension VarlinkConnection {
    /// Records a person through `io.kawal.People.Add` and returns their id; only what is given is sent.
    ///
    /// ```swift
    /// let person = try kawald.connect().addPerson(nik: "5203015708450001")
    /// ```
    public func addPerson(name: String = "Siti Aminah", village: String = "Sembalun", sex: String? = "female", birthDate: String? = "1945-08-17",
                          nik: String? = nil, phone: String? = nil, force: Bool? = nil) throws -> Int64 {
        var person: [String: JSONValue] = ["name": .string(name), "village": .string(village)]
        if let sex { person["sex"] = .string(sex) }
        if let birthDate { person["birth_date"] = .string(birthDate) }
        if let nik { person["nik"] = .string(nik) }
        if let phone { person["phone"] = .string(phone) }
        var parameters: [String: JSONValue] = ["person": .object(person)]
        if let force { parameters["force"] = .bool(force) }
        return try call("io.kawal.People.Add", parameters)["person"]!["id"]!.intValue!
    }
}
