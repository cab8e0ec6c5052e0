import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Runs `tmux` for the terminal tests without Foundation's `Process`: the tmux server a client starts
/// lives on and would inherit every descriptor of this test process, including those `Process` uses
/// to notice that its children exit, so unrelated processes would never seem to end. Here tmux gets
/// only /dev/null and an output file (posix_spawn, every other descriptor closed), and is reaped with
/// waitpid off the cooperative threads.
enum Tmux {
    /// Runs `tmux ARGUMENTS`; returns its exit status and what it printed on stdout.
    static func run(_ arguments: [String]) async throws -> (status: Int32, output: String) {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("tmux-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: output) }
        let path = try ExternalProcess.resolve("tmux")
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try spawnAndWait([path] + arguments, stdout: output.path) })
            }
        }
        return (status, (try? String(contentsOf: output, encoding: .utf8)) ?? "")
    }

    private static func spawnAndWait(_ argv: [String], stdout: String) throws -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        // glibc 2.34+ (Debian 12 has 2.36); not in Swift's Glibc module, so looked up at run time.
        typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") else {
            throw HarnessError("this libc has no posix_spawn_file_actions_addclosefrom_np")
        }
        _ = unsafeBitCast(symbol, to: CloseFrom.self)(&actions, 3)
        var pid: pid_t = 0
        let cArguments = argv.map { strdup($0) } + [nil]
        defer { cArguments.forEach { free($0) } }
        // The terminal's programs decide on colour themselves: a NO_COLOR the test runner set for its
        // own output (swift test does, into a pipe) is not passed on.
        let environment =
            ProcessInfo.processInfo.environment.filter { $0.key != "NO_COLOR" }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { environment.forEach { free($0) } }
        let spawned = posix_spawn(&pid, argv[0], &actions, nil, cArguments, environment)
        guard spawned == 0 else { throw HarnessError("posix_spawn tmux: errno \(spawned)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        // WIFEXITED / WEXITSTATUS by hand: the macros do not import.
        return status & 0x7F == 0 ? (status >> 8) & 0xFF : -1
    }
}
