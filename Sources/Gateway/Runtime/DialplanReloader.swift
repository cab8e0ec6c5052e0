import ControlAPI
import Dialplan
import Foundation
import Frames
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
    /// What `dialgatectl status` shows of the plan in force and of the last reload.
    private(set) var status: DialplanStatus?

    init(folder: String, options: DialplanRun.Options, logger: Logger) {
        self.folder = folder
        self.options = options
        self.logger = logger
    }

    /// The checker the daemon uses: `dialgate dialplan check` knows the same prompts.
    static var checker: DialplanChecker { DialplanChecker(knownPrompts: Set(PromptLibrary.Name.allCases.map(\.rawValue))) }

    /// Reads and checks every file; the plan, or every problem as `file:line:column: message`.
    nonisolated func load() -> Result<DialplanDocument, DialplanLoadFailure> {
        loadWithTexts().map(\.document)
    }

    /// The plan and the text of every file read for it (top-level and included), for fingerprints.
    private nonisolated func loadWithTexts() -> Result<(document: DialplanDocument, texts: [String: String]), DialplanLoadFailure> {
        let sources: [DialplanSource]
        do {
            sources = try DialplanFiles.sources(at: folder)
        } catch {
            return .failure(DialplanLoadFailure(errors: ["\(folder): \(error)"]))
        }
        // The checker runs synchronously on this thread: the closure only collects what it read.
        var texts = Dictionary(sources.map { ($0.path, $0.text) }, uniquingKeysWith: { first, _ in first })
        let result = Self.checker.load(sources) { include, file in
            let source = DialplanFiles.resolve(include, from: file)
            if let source { texts[source.path] = source.text }
            return source
        }
        guard result.isValid else { return .failure(DialplanLoadFailure(errors: result.diagnostics.map(\.description))) }
        return .success((result.document, texts))
    }

    /// `dialgatectl status`'s view of a plan just put in force.
    static func status(of document: DialplanDocument, texts: [String: String], version: Int, lastReload: DialplanStatus.ReloadAttempt?)
        -> DialplanStatus
    {
        let policyFiles = Set(document.policies.map(\.location.file) + document.tiers.map(\.location.file))
        return DialplanStatus(
            version: version, loadedAt: Date(), files: document.files, routes: document.routes.count, trunks: document.trunks.count,
            fingerprint: fingerprint(texts.filter { document.files.contains($0.key) }), policyProfiles: document.policies.count,
            tiers: document.tiers.count, policyFingerprint: fingerprint(texts.filter { policyFiles.contains($0.key) }),
            lastReload: lastReload)
    }

    /// BLAKE2b over each file's name and text in name order, 12 hex digits.
    static func fingerprint(_ texts: [String: String]) -> String {
        let parts = texts.sorted { $0.key < $1.key }.flatMap { path, text in
            [Array("\(path.utf8.count):\(path)\(text.utf8.count):".utf8), Array(text.utf8)]
        }
        return Blake2b.hash(Array(parts.joined())).prefix(6).map { String(format: "%02x", $0) }.joined()
    }

    /// The plan the daemon starts with (version 1); a broken folder stops the start.
    func initialPlan(for signalling: SignallingLoop? = nil) throws -> ActiveDialplan {
        let (document, texts) = try loadWithTexts().get()
        version = 1
        status = Self.status(of: document, texts: texts, version: version, lastReload: nil)
        self.signalling = signalling
        logger.info("dialplan loaded", metadata: Self.metadata(document, version: version))
        return ActiveDialplan(document: document, version: version, options: options)
    }

    func attach(_ signalling: SignallingLoop) { self.signalling = signalling }

    /// Loads the folder again; on success new calls follow the new plan.
    func reload(trigger: String) async -> DialplanReloadResult {
        switch loadWithTexts() {
        case .failure(let failure):
            status?.lastReload = DialplanStatus.ReloadAttempt(
                at: Date(), trigger: trigger, accepted: false, errors: Array(failure.errors.prefix(10)))
            logger.error(
                "dialplan reload refused: the previous plan stays active",
                metadata: ["trigger": "\(trigger)", "errors": "\(failure.errors.count)", "first": "\(failure.errors.first ?? "-")"])
            for error in failure.errors { logger.error("dialplan: \(error)") }
            return DialplanReloadResult(accepted: false, files: [], routes: 0, trunks: 0, errors: failure.errors, version: version)
        case .success(let (document, texts)):
            version += 1
            status = Self.status(
                of: document, texts: texts, version: version,
                lastReload: DialplanStatus.ReloadAttempt(at: Date(), trigger: trigger, accepted: true, errors: []))
            let plan = ActiveDialplan(document: document, version: version, options: options)
            if let signalling {
                try? await signalling.replaceDialplan(plan).get()
                await signalling.applyRegistrations()
            }
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
