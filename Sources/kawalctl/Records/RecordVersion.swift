import ArgumentParser

/// `--version N`: the version of the record that a change is based on. kawald refuses the change
/// with io.kawal.Conflict if the record has moved on since; left out, the current version is read
/// and used, as someone at a terminal expects.
struct RecordVersion: ParsableArguments {
    @Option(name: .customLong("version"), help: ArgumentHelp("The version you read (default: the current one).", valueName: "n"))
    var number: Int64?
}
