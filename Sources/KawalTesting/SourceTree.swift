import Foundation

/// The Kawal source tree the tests were built from, for the files they read: templates, test data,
/// the journal catalogue, example plugins, scripts.
///
/// ```swift
/// let sink = SourceTree.path("plugins/examples/sink.py")
/// ```
public enum SourceTree {
    /// The folder that holds Package.swift.
    public static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `relative` (e.g. `templates`) in the source tree.
    public static func path(_ relative: String) -> String {
        root.appendingPathComponent(relative).path
    }
}
