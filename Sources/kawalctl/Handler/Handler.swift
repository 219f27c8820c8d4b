import ArgumentParser

struct Handler: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "handler",
        abstract: "Manage the case handlers: the people who follow cases up.",
        discussion: """
            A handler has a short code (ani) used everywhere, and may have a login on this server: members \
            of group kawal whose login is a handler's see that handler's cases. Handlers are not deleted: one \
            who leaves is deactivated, and their open cases go to someone else.
            """,
        subcommands: [HandlerAdd.self, HandlerList.self, HandlerUpdate.self, HandlerDeactivate.self, HandlerReassign.self, HandlerNotify.self, HandlerNotifyTest.self]
    )
}
