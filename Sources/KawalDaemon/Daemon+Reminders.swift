import Foundation
import KawalStore
import Logging

extension Daemon {
    /// The templates (from [reminders] templates_dir, else the installed or source-tree folder) and
    /// the composer that renders them.
    static func makeComposer(_ configuration: Configuration, store: Store) throws -> MessageComposer {
        let settings = configuration.reminders
        let templates = try MessageTemplates.load(directory: settings.templatesDirectory ?? MessageTemplates.defaultDirectory(),
                                                  override: settings.overrideDirectory)
        return MessageComposer(templates: templates, time: store.time, rules: settings.rules,
                               alertEmails: settings.alertEmails, alertPhones: settings.alertPhones)
    }

    /// Gives the store its reminder rules (jobs it makes go to the scheduler), folds reminders missed
    /// during downtime into overdue digests before the scheduler loads its jobs, and has dead notify
    /// jobs alert the admins.
    static func startReminders(_ configuration: Configuration, store: Store, scheduler: Scheduler, reminders: ReminderService,
                               logger: Logger) async throws {
        store.configureReminders(configuration.reminders.rules, alertHandlers: configuration.reminders.alertHandlers) { jobs in
            Task {
                for job in jobs { await scheduler.schedule(job.id, kind: job.kind, at: job.dueAt) }
            }
        }
        await scheduler.onDeadLetter { id, kind in await reminders.jobDied(id: id, kind: kind) }
        try await ReminderService.foldLate(store: store, logger: logger)
        if configuration.reminders.rules.enabled {
            logger.info("reminders on", metadata: ["kawal.plans": "\(configuration.reminders.rules.plans.count)"])
        }
    }
}
