import ControlAPI
import Dialplan
import Logging
import Media
import ServiceLifecycle
import UnixSignals

/// Loads the dialplan folder as a whole and hands a checked plan to the signalling loop: at start,
/// on SIGHUP and on `dialgatectl reload`. A set with any error is refused as a whole and the
/// plan in force stays; calls in progress always finish on the plan they started with.
actor DialplanReloader {
    let folder: String
    let options: DialplanRun.Options
    private let logger: Logger
    private weak var signalling: SignallingLoop?
    private var version = 0

    init(folder: String, options: DialplanRun.Options, logger: Logger) {
        self.folder = folder
        self.options = options
        self.logger = logger
    }

    /// The checker the daemon uses: `dialgate dialplan check` knows the same prompts.
    static var checker: DialplanChecker { DialplanChecker(knownPrompts: Set(PromptLibrary.Name.allCases.map(\.rawValue))) }

    /// Reads and checks every file; the plan, or every problem as `file:line:column: message`.
    nonisolated func load() -> Result<DialplanDocument, DialplanLoadFailure> {
        let sources: [DialplanSource]
        do {
            sources = try DialplanFiles.sources(at: folder)
        } catch {
            return .failure(DialplanLoadFailure(errors: ["\(folder): \(error)"]))
        }
        let result = Self.checker.load(sources, resolve: DialplanFiles.resolve)
        guard result.isValid else { return .failure(DialplanLoadFailure(errors: result.diagnostics.map(\.description))) }
        return .success(result.document)
    }

    /// The plan the daemon starts with (version 1); a broken folder stops the start.
    func initialPlan(for signalling: SignallingLoop? = nil) throws -> ActiveDialplan {
        let document = try load().get()
        version = 1
        self.signalling = signalling
        logger.info("dialplan loaded", metadata: Self.metadata(document, version: version))
        return ActiveDialplan(document: document, version: version, options: options)
    }

    func attach(_ signalling: SignallingLoop) { self.signalling = signalling }

    /// Loads the folder again; on success new calls follow the new plan.
    func reload(trigger: String) async -> DialplanReloadResult {
        switch load() {
        case .failure(let failure):
            logger.error(
                "dialplan reload refused: the previous plan stays active",
                metadata: ["trigger": "\(trigger)", "errors": "\(failure.errors.count)", "first": "\(failure.errors.first ?? "-")"])
            for error in failure.errors { logger.error("dialplan: \(error)") }
            return DialplanReloadResult(accepted: false, files: [], routes: 0, trunks: 0, errors: failure.errors, version: version)
        case .success(let document):
            version += 1
            let plan = ActiveDialplan(document: document, version: version, options: options)
            if let signalling { try? await signalling.replaceDialplan(plan).get() }
            var metadata = Self.metadata(document, version: version)
            metadata["trigger"] = "\(trigger)"
            logger.info("dialplan reloaded", metadata: metadata)
            return DialplanReloadResult(
                accepted: true, files: document.files, routes: document.routes.count, trunks: document.trunks.count, errors: [],
                version: version)
        }
    }

    private static func metadata(_ document: DialplanDocument, version: Int) -> Logger.Metadata {
        [
            "version": "\(version)", "files": "\(document.files.count)", "routes": "\(document.routes.count)",
            "trunks": "\(document.trunks.count)",
        ]
    }
}

/// Why the dialplan folder could not be loaded: every problem, one line each.
struct DialplanLoadFailure: Error, CustomStringConvertible {
    var errors: [String]
    var description: String { "the dialplan does not load:\n" + errors.joined(separator: "\n") }
}

/// Reloads the dialplan on SIGHUP (DESIGN.md §3).
struct DialplanReloadOnHangup: Service {
    let reloader: DialplanReloader

    func run() async throws {
        let signals = await UnixSignalsSequence(trapping: [.sighup])
        for await _ in signals.cancelOnGracefulShutdown() {
            _ = await reloader.reload(trigger: "SIGHUP")
        }
    }
}
