import BackupPlugin
import NotifyEmailPlugin
import NotifySMSPlugin
import NotifyWebhookPlugin
import SMSInboundPlugin
import WebhookInboundPlugin
#if canImport(Glibc)
import Glibc
#endif

/// kawal-plugins: every plugin the package ships, in one program that becomes the one it is called
/// as. /usr/lib/kawal/plugins/notify-email and the others are links to it, so kawald's
/// `[plugins.NAME] exec`, `kawal-plugin@NAME.service` and kawalctl call each plugin by its own name.
/// The plugins share most of their code (the plugin kit, NotifyKit, SwiftNIO, BoringSSL): one copy
/// of it instead of four keeps the package small.
let plugins: [(name: String, main: () async -> Void)] = [
    ("kawal-backup", BackupPlugin.Entry.main),
    ("notify-email", NotifyEmailPlugin.Entry.main),
    ("notify-sms", NotifySMSPlugin.Entry.main),
    ("notify-webhook", NotifyWebhookPlugin.Entry.main),
    ("sms-inbound", SMSInboundPlugin.Entry.main),
    ("webhook-inbound", WebhookInboundPlugin.Entry.main),
]

let calledAs = CommandLine.arguments.first.flatMap { $0.split(separator: "/").last }.map(String.init) ?? ""
if let plugin = plugins.first(where: { $0.name == calledAs }) {
    await plugin.main()
} else if CommandLine.arguments.dropFirst().first == "--list" {
    // The links to make (the Makefile and packaging/deb/build.py ask).
    for plugin in plugins { print(plugin.name) }
} else {
    let message = "kawal-plugins: run me through a link named after a plugin (\(plugins.map(\.name).joined(separator: ", "))), not as '\(calledAs)'; 'kawal-plugins --list' lists them\n"
    _ = message.withCString { write(STDERR_FILENO, $0, strlen($0)) }
    exit(2)
}
