/// The reply to `reload`: whether the dialplans (and policy) in the dialplan folder were checked and
/// swapped in, or refused with the previous plan left active.
///
/// A refusal is a successful reply (the command ran; the plan was wrong), so a client sees the
/// errors; `dialgatectl reload` exits 1 when ``accepted`` is false.
public struct DialplanReloadResult: Codable, Sendable, Hashable {
    /// True when the new plan is active; false when it was refused and the previous one stays.
    public var accepted: Bool
    /// The plan files read, as the daemon names them.
    public var files: [String]
    /// Routes in the plan (the new one when accepted).
    public var routes: Int
    /// Trunk definitions in the plan.
    public var trunks: Int
    /// Why it was refused, one `file:line:column: message` each; empty when accepted.
    public var errors: [String]
    /// The active plan's generation number after the reload (unchanged by a refusal).
    public var version: Int

    public init(accepted: Bool, files: [String], routes: Int, trunks: Int, errors: [String], version: Int) {
        self.accepted = accepted
        self.files = files
        self.routes = routes
        self.trunks = trunks
        self.errors = errors
        self.version = version
    }
}
