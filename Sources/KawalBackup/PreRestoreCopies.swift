import Foundation

/// The database as it was before each restore: `kawal.db.pre-restore-YYYYMMDDTHHMMSSZ` (with
/// `-2`, `-3` … for restores within the same second) beside the database. They are plain copies of
/// every record, so they are kept only for a while (the same time as finished jobs' payloads) and
/// then deleted, so that an erased person does not live on in them for ever.
public enum PreRestoreCopies {
    public static let marker = ".pre-restore-"

    /// The name kawald gives the copy made before a restore at `date`.
    public static func name(database: String, at date: Date) -> String {
        database + marker + BackupNaming.id(for: date).dropFirst(BackupNaming.prefix.count)
    }

    /// When the copy in `fileName` (a name in the database's folder) was made, or nil for any other file.
    public static func madeAt(fileName: String, databaseName: String) -> Date? {
        guard fileName.hasPrefix(databaseName + marker) else { return nil }
        var stamp = String(fileName.dropFirst(databaseName.count + marker.count))
        if let dash = stamp.lastIndex(of: "-"), Int(stamp[stamp.index(after: dash)...]) != nil { stamp = String(stamp[..<dash]) }
        return BackupNaming.date(ofID: BackupNaming.prefix + stamp)
    }

    /// The copies of `database` made before `cutoff`, as paths.
    public static func expired(database: String, before cutoff: Date) -> [String] {
        let folder = (database as NSString).deletingLastPathComponent
        let databaseName = (database as NSString).lastPathComponent
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.sorted().compactMap { name in
            guard let made = madeAt(fileName: name, databaseName: databaseName), made < cutoff else { return nil }
            return folder + "/" + name
        }
    }
}
