import ArgumentParser

struct Service: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "service",
        abstract: "The directory of services that cases are referred to.",
        discussion: """
            kawald starts with Dukcapil, BPJS Kesehatan, Dinas Sosial, UPTD PPA, Puskesmas and the Pengadilan \
            Agama; an office adds its own local offices and partners.
            """,
        subcommands: [ServiceList.self, ServiceAdd.self]
    )
}
