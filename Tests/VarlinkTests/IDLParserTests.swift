import Testing
@testable import Varlink

@Suite struct IDLParserTests {
    static let everything = """
        # The interface's documentation,
        # over two lines.
        interface org.example.everything

        # A documented enum.
        type Colour (red, green, blue_ish)

        type Nested (
          # a field comment is not a member's documentation
          name: string,
          count: int,
          ratio: float,
          flag: bool,
          any: object,
          maybe: ?string,
          list: []int,
          map: [string]Colour,
          set: [string](),
          inner: (depth: int, leaf: ?(deep: bool)),
          choice: (one, two),
          optional_list: ?[]?string,
          list_of_maps: [][string]float
        )

        method Simple() -> ()
        method Echo(in: Nested) -> (out: Nested)   # trailing comment
        method Multi(
          a: string,
          b: ?[]Colour
        ) -> (
          c: int
        )

        # Raised when it fails.
        error Failed (reason: string)
        error Empty ()
        """

    @Test func parsesEveryConstruct() throws {
        let interface = try VarlinkInterface(parsing: Self.everything)
        #expect(interface.name == "org.example.everything")
        #expect(interface.documentation == "The interface's documentation,\nover two lines.")
        #expect(interface.memberOrder == ["Colour", "Nested", "Simple", "Echo", "Multi", "Failed", "Empty"])
        #expect(interface.types["Colour"]?.type == .enumeration(["red", "green", "blue_ish"]))
        #expect(interface.types["Colour"]?.documentation == "A documented enum.")
        guard case .structure(let nested)? = interface.types["Nested"]?.type else {
            Issue.record("Nested is not a struct")
            return
        }
        let types = Dictionary(uniqueKeysWithValues: nested.fields.map { ($0.name, $0.type) })
        #expect(types["name"] == .string)
        #expect(types["count"] == .int)
        #expect(types["ratio"] == .float)
        #expect(types["flag"] == .bool)
        #expect(types["any"] == .object)
        #expect(types["maybe"] == .optional(.string))
        #expect(types["list"] == .array(.int))
        #expect(types["map"] == .dictionary(.named("Colour")))
        #expect(types["set"] == .dictionary(.structure(VarlinkStruct(fields: []))))
        #expect(types["inner"] == .structure(VarlinkStruct(fields: [
            .init(name: "depth", type: .int),
            .init(name: "leaf", type: .optional(.structure(VarlinkStruct(fields: [.init(name: "deep", type: .bool)])))),
        ])))
        #expect(types["choice"] == .enumeration(["one", "two"]))
        #expect(types["optional_list"] == .optional(.array(.optional(.string))))
        #expect(types["list_of_maps"] == .array(.dictionary(.float)))
        #expect(interface.methods["Simple"]?.input.fields.isEmpty == true)
        #expect(interface.methods["Echo"]?.output.fields.first?.type == .named("Nested"))
        #expect(interface.methods["Multi"]?.input.fields.map(\.name) == ["a", "b"])
        #expect(interface.errors["Failed"]?.parameters.fields.first?.name == "reason")
        #expect(interface.errors["Failed"]?.documentation == "Raised when it fails.")
        #expect(interface.errors["Empty"]?.parameters.fields.isEmpty == true)
        #expect(interface.description == Self.everything)
    }

    @Test func parsesTheServiceInterface() throws {
        let interface = try VarlinkInterface(parsing: VarlinkService<Void>.serviceInterfaceDescription)
        #expect(interface.name == "org.varlink.service")
        #expect(interface.methods.keys.sorted() == ["GetInfo", "GetInterfaceDescription"])
    }

    @Test(arguments: [
        ("method Ping() -> ()", 1, 1, "starts with 'interface NAME'"),
        ("interface org\nmethod Ping() -> ()", 1, 11, "invalid interface name 'org'"),
        ("interface org.example\n", 2, 1, "at least one"),
        ("interface org.example\nmethod ping() -> ()", 2, 8, "invalid method name 'ping'"),
        ("interface org.example\nfunction Ping() -> ()", 2, 1, "expected 'type', 'method' or 'error'"),
        ("interface org.example\nmethod Ping(a: strin) -> ()", 2, 16, "unknown type 'strin'"),
        ("interface org.example\nmethod Ping(a: string, a: int) -> ()", 2, 24, "field 'a' appears twice"),
        ("interface org.example\nmethod Ping(a: ??string) -> ()", 2, 17, "'??'"),
        ("interface org.example\nmethod Ping(a: [int]string) -> ()", 2, 16, "expected '[]'"),
        ("interface org.example\nmethod Ping(a: string -> ()", 2, 23, "expected ',' or ')'"),
        ("interface org.example\nmethod Ping() ()", 2, 15, "expected '->'"),
        ("interface org.example\nmethod Ping() -> (x: Missing)", 2, 1, "'Ping' uses type 'Missing'"),
        ("interface org.example\ntype T (a, a)", 2, 12, "enum value 'a' appears twice"),
        ("interface org.example\nerror E () method M() -> ()", 2, 12, "end of the line"),
        ("interface org.example\nmethod Ping(bad__name: int) -> ()", 2, 13, "invalid field name"),
        ("interface org.example\nmethod Ping() -> ()\nmethod Ping() -> ()", 3, 8, "declared twice"),
    ])
    func reportsErrorsWithLineAndColumn(text: String, line: Int, column: Int, reason: String) {
        #expect {
            try VarlinkInterface(parsing: text)
        } throws: { error in
            guard let error = error as? VarlinkIDLError else { return false }
            return error.line == line && error.column == column && error.reason.contains(reason)
        }
    }

    @Test func printsTypesInIDLNotation() {
        #expect(VarlinkType.optional(.array(.dictionary(.named("T")))).description == "?[][string]T")
        #expect(VarlinkType.enumeration(["a", "b"]).description == "(a, b)")
    }
}
