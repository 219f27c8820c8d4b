import Foundation
import KawalCore
import Varlink

/// The checks of what lies on disk: the state folder, the database, the sockets, the time zone and free space.
extension Doctor {
    func files() -> [DoctorCheck] {
        [stateDirectory(), database(), controlSocket(), pluginsSocket()].compactMap { $0 }
    }

    func stateDirectory() -> DoctorCheck {
        let id = "files.state_dir"
        let dir = facts.stateDirectory
        let chmod = "chmod 0700 \(dir.path)"
        guard dir.exists, dir.isDirectory else {
            return DoctorCheck(id: id, status: .fail, message: "\(dir.path) is not a folder", hint: "check [daemon] state_dir in \(facts.configPath)")
        }
        let mode = Self.octal(dir.mode)
        if dir.ownerUID != facts.daemonUID {
            return DoctorCheck(id: id, status: .fail, message: "\(dir.path) belongs to \(dir.owner ?? "uid \(dir.ownerUID)"), but kawald runs as \(facts.daemonUser)",
                               hint: "chown -R \(facts.daemonUser): \(dir.path)")
        }
        if dir.mode & 0o007 != 0 {
            return DoctorCheck(id: id, status: .fail, message: "\(dir.path) is \(mode): other accounts can enter kawald's state folder", hint: chmod)
        }
        if dir.mode & 0o070 != 0 {
            return DoctorCheck(id: id, status: .warn, message: "\(dir.path) is \(mode): group \(dir.group ?? "?") can enter kawald's state folder", hint: chmod)
        }
        return .ok(id, "\(dir.path) is \(mode), owned by \(facts.daemonUser)")
    }

    func database() -> DoctorCheck {
        let id = "files.database"
        let files = facts.database.filter(\.exists)
        let open = files.filter { $0.mode & 0o077 != 0 || $0.ownerUID != facts.daemonUID }
        guard let first = open.first else {
            return .ok(id, "\(facts.database.first?.path ?? "kawal.db") is readable by kawald's user only")
        }
        // Behind a state folder that others cannot enter, a readable file is a weakness, not a leak.
        let folderClosed = facts.stateDirectory.mode & 0o077 == 0
        let leaks = open.contains { $0.mode & 0o004 != 0 } && facts.stateDirectory.mode & 0o005 != 0
        let describe = open.map { "\(($0.path as NSString).lastPathComponent) \(Self.octal($0.mode)) \($0.owner ?? "uid \($0.ownerUID)")" }.joined(separator: ", ")
        let ownerHint = open.contains { $0.ownerUID != facts.daemonUID } ? "chown \(facts.daemonUser): \(first.path)*; " : ""
        return DoctorCheck(id: id, status: leaks || !folderClosed ? .fail : .warn,
                           message: "the database files are open to others (\(describe))\(folderClosed ? "; only the 0700 state folder keeps them in" : "")",
                           hint: ownerHint + "chmod 0600 \(open.map(\.path).joined(separator: " "))")
    }

    func controlSocket() -> DoctorCheck? {
        guard let socket = facts.controlSocket else { return nil }
        let id = "files.control_socket"
        guard socket.exists else {
            return DoctorCheck(id: id, status: .fail, message: "\(socket.path) does not exist", hint: "systemctl restart kawald.socket kawald")
        }
        let mode = Self.octal(socket.mode)
        let shown = "\(socket.path) is \(mode) \(socket.owner ?? "?"):\(socket.group ?? "?")"
        guard facts.controlSocketActivated else {
            return .ok(id, "\(shown), bound by kawald itself (no socket activation): any account may connect, kawald decides by the caller's groups")
        }
        if socket.mode & 0o002 != 0 {
            return DoctorCheck(id: id, status: .warn, message: "\(shown): any account can connect (kawald still refuses callers outside \(facts.handlerGroup) and the admin group)",
                               hint: "SocketMode=0660 in kawald.socket (systemctl edit kawald.socket), then systemctl restart kawald.socket kawald")
        }
        if socket.group != facts.handlerGroup {
            return DoctorCheck(id: id, status: .warn, message: "\(shown): members of \(facts.handlerGroup) cannot connect",
                               hint: "SocketGroup=\(facts.handlerGroup) in kawald.socket (systemctl edit kawald.socket), then systemctl restart kawald.socket kawald")
        }
        return .ok(id, "\(shown), as systemd should make it (0660 root:\(facts.handlerGroup))")
    }

    func pluginsSocket() -> DoctorCheck? {
        guard let socket = facts.pluginsSocket else { return nil }
        let id = "files.plugins_socket"
        guard socket.exists else {
            return DoctorCheck(id: id, status: .warn, message: "\(socket.path) does not exist: external plugins cannot connect", hint: "systemctl restart kawald-plugins.socket kawald")
        }
        let shown = "\(socket.path) is \(Self.octal(socket.mode)) \(socket.owner ?? "?"):\(socket.group ?? "?")"
        let unit = facts.pluginsSocketActivated ? "in kawald-plugins.socket (systemctl edit kawald-plugins.socket)" : "(kawald sets it when it binds the socket)"
        if socket.mode & 0o002 != 0 {
            return DoctorCheck(id: id, status: .warn, message: "\(shown): any account can connect (kawald still refuses plugins outside \(facts.pluginGroup))",
                               hint: "SocketMode=0660 \(unit)")
        }
        if socket.group != facts.pluginGroup {
            return DoctorCheck(id: id, status: .warn, message: "\(shown): external plugins in group \(facts.pluginGroup) cannot connect",
                               hint: facts.pluginsSocketActivated ? "SocketGroup=\(facts.pluginGroup) \(unit)"
                                   : "create the group (systemd-sysusers, or groupadd \(facts.pluginGroup)) and restart kawald")
        }
        return .ok(id, "\(shown) (0660, group \(facts.pluginGroup))")
    }

    // MARK: Time zone, disk, jobs, plugins

    func timeZone() -> DoctorCheck {
        let id = "time_zone"
        guard facts.configuredZoneLoads else {
            return DoctorCheck(id: id, status: .fail, message: "the configured zone \(facts.configuredZone) cannot be loaded from /usr/share/zoneinfo: schedules and reports use the wrong time",
                               hint: "apt-get install tzdata, or set [daemon] time_zone (e.g. \"Asia/Makassar\") in \(facts.configPath)")
        }
        guard let system = facts.systemZone, system != facts.configuredZone else {
            return .ok(id, "\(facts.configuredZone) for schedules, reminders and reports\(facts.systemZone == nil ? "" : ", as the system's")")
        }
        return .ok(id, "\(facts.configuredZone) for schedules, reminders and reports; the system's zone is \(system), which kawald does not use")
    }

    func diskSpace() -> DoctorCheck {
        let id = "disk"
        guard let state = facts.stateFilesystem else {
            return DoctorCheck(id: id, status: .warn, message: "cannot tell the free space of \(facts.stateDirectory.path)", hint: "df -h \(facts.stateDirectory.path)")
        }
        let db = facts.databaseBytes
        // A backup writes a snapshot (VACUUM INTO, about the database's size) in the state folder and
        // the encrypted file (at most about as big) in the backup folder.
        var places = [(state, db)]
        if let backups = facts.backupFilesystem, facts.backup?.enabled == true {
            if backups.device == state.device { places[0].1 += db } else { places.append((backups, db)) }
        }
        let short = places.filter { $0.0.availableBytes < $0.1 }
        let tight = places.filter { $0.0.availableBytes < 2 * $0.1 + 256 << 20 }
        let shown = places.map { "\(ByteCount.text($0.0.availableBytes)) free in \($0.0.path)" }.joined(separator: ", ")
        if let first = short.first {
            return DoctorCheck(id: id, status: .fail, message: "\(shown): not enough for a backup of the \(ByteCount.text(db)) database (needs about \(ByteCount.text(first.1)) in \(first.0.path))",
                               hint: "free space (df -h \(first.0.path); kawalctl backup prune) or move [backup] dir to a larger disk")
        }
        if let first = tight.first {
            return DoctorCheck(id: id, status: .warn, message: "\(shown): a backup of the \(ByteCount.text(db)) database fits, with little room to spare",
                               hint: "df -h \(first.0.path); kawalctl backup prune")
        }
        return .ok(id, "\(shown) for a \(ByteCount.text(db)) database")
    }
}
