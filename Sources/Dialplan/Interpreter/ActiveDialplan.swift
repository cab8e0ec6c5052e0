/// The checked plan new calls start on, with its generation number (raised by every reload).
public struct ActiveDialplan: Sendable {
    public let document: DialplanDocument
    /// 1 for the plan the daemon started with, then one more per accepted reload.
    public var version: Int
    public var options: DialplanRun.Options
    /// The document's passcode variables and routes, worked out once per plan rather than by
    /// every call's run (each walk visits every step of every route).
    public let secrets: DialplanRun.Secrets

    public init(document: DialplanDocument, version: Int = 1, options: DialplanRun.Options = DialplanRun.Options()) {
        self.document = document
        self.version = version
        self.options = options
        secrets = DialplanRun.Secrets(document)
    }
}
