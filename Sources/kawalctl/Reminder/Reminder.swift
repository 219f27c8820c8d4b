import ArgumentParser

struct Reminder: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reminder",
        abstract: "The reminders sent to case handlers about their follow-ups.",
        discussion: """
            Each planned follow-up of an open case has a reminder to its handler when it is due, and an \
            escalation to the handler's supervisor (else the admins) when it is overdue. A reminder's \
            state follows its message: queued, held (an SMS waiting for quiet hours to end), sent, failed. \
            'kawalctl handler notify' sets how a handler is reminded. See docs/reminders.md.
            """,
        subcommands: [ReminderList.self, ReminderPreview.self, ReminderSendNow.self]
    )
}
