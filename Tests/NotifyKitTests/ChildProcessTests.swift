import Foundation
import NotifyKit
import Testing

/// Real child processes: how they end is what the notifiers turn into ack, retry or failure.
struct ChildProcessTests {
    @Test func inputGoesInAndOutputComesBack() async throws {
        let result = try await ChildProcess.run("/bin/sh", ["-c", "tr a-z A-Z; echo done >&2"], input: Data("halo\n".utf8), timeout: .seconds(20))
        #expect(result.ending == .exited(0))
        #expect(result.output.contains("HALO"))
        #expect(result.output.contains("done"))
        #expect(result.firstLine == "HALO")
    }

    @Test func exitStatusesAndSignalsAreTold() async throws {
        #expect(try await ChildProcess.run("/bin/sh", ["-c", "exit 75"], timeout: .seconds(20)).ending == .exited(75))
        #expect(try await ChildProcess.run("/bin/sh", ["-c", "kill -9 $$"], timeout: .seconds(20)).ending == .signalled(9))
    }

    @Test func aChildThatDoesNotReadItsInputDoesNotHurtUs() async throws {
        signal(SIGPIPE, SIG_IGN)
        let big = Data(repeating: 0x61, count: 1 << 20)
        #expect(try await ChildProcess.run("/bin/sh", ["-c", "exit 3"], input: big, timeout: .seconds(20)).ending == .exited(3))
    }

    @Test func aHangingChildIsStopped() async throws {
        let result = try await ChildProcess.run("/bin/sleep", ["30"], timeout: .milliseconds(200))
        #expect(result.ending == .timedOut)
    }

    @Test func aMissingProgramIsAStartFailure() async {
        await #expect(throws: ChildProcess.StartFailure.self) {
            _ = try await ChildProcess.run("/nonexistent/sendmail", [], timeout: .seconds(1))
        }
    }
}
