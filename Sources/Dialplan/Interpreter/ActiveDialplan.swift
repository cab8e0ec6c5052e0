/// The checked plan new calls start on, with its generation number (raised by every reload).
public struct ActiveDialplan: Sendable {
    public var document: DialplanDocument
    /// 1 for the plan the daemon started with, then one more per accepted reload.
    public var version: Int
    public var options: DialplanRun.Options

    public init(document: DialplanDocument, version: Int = 1, options: DialplanRun.Options = DialplanRun.Options()) {
        self.document = document
        self.version = version
        self.options = options
    }
}
