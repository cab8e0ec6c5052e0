/// Reads a set of dialplan files into one `DialplanDocument`, following `include`s through a
/// resolver the caller gives (the parser and loader never touch the file system).
public struct DialplanLoader {
    /// Finds an included file: the path as written and the path of the file that includes it.
    /// Returns the file's text under a canonical path (so a file reached twice is read once), or
    /// nil when there is no such file.
    public typealias IncludeResolver = (_ path: String, _ includedFrom: String) -> DialplanSource?

    /// Parses `sources` in order, expanding each include where it is written. A file reached a
    /// second time (by two includes, or given and also included) is read once; a file that includes
    /// itself, directly or through others, is an error.
    public static func load(_ sources: [DialplanSource], resolve: IncludeResolver) -> (
        document: DialplanDocument, diagnostics: [DialplanDiagnostic]
    ) {
        var loader = Loader()
        for source in sources where !loader.loaded.contains(source.path) {
            loader.read(source, chain: [], resolve: resolve)
        }
        return (loader.document, loader.sink.diagnostics)
    }

    private struct Loader {
        var document = DialplanDocument()
        var sink = DiagnosticSink()
        var loaded: Set<String> = []

        mutating func read(_ source: DialplanSource, chain: [String], resolve: IncludeResolver) {
            loaded.insert(source.path)
            document.files.append(source.path)
            let (file, diagnostics) = DialplanParser.parse(source)
            sink.add(contentsOf: diagnostics)
            let chain = chain + [source.path]
            for declaration in file.declarations {
                switch declaration {
                case .include(let include):
                    document.includes.append(include)
                    guard let target = resolve(include.path, source.path) else {
                        sink.error(
                            include.location, "cannot find included file '\(include.path)'",
                            hint: "paths are relative to the file that includes them")
                        continue
                    }
                    if chain.contains(target.path) {
                        let cycle = (chain.drop(while: { $0 != target.path }) + [target.path]).joined(separator: " → ")
                        sink.error(include.location, "include cycle: \(cycle)", hint: "remove one of these includes")
                        continue
                    }
                    if loaded.contains(target.path) { continue }
                    if chain.count >= DialplanLimits.maxIncludeDepth {
                        sink.error(include.location, "includes nested more than \(DialplanLimits.maxIncludeDepth) deep")
                        continue
                    }
                    read(target, chain: chain, resolve: resolve)
                case .variable(let variable): document.variables.append(variable)
                case .trunk(let trunk): document.trunks.append(trunk)
                case .route(let route): document.routes.append(route)
                case .policy(let policy): document.policies.append(policy)
                case .tier(let tier): document.tiers.append(tier)
                }
            }
        }
    }
}

/// The result of loading and checking a set of dialplan files.
public struct DialplanCheckResult: Sendable {
    public var document: DialplanDocument
    /// Every problem, parse errors first by file, then the checker's, each sorted by position.
    public var diagnostics: [DialplanDiagnostic]
    public var isValid: Bool { diagnostics.isEmpty }
}

extension DialplanChecker {
    /// Loads `sources` (following includes through `resolve`) and checks the whole set.
    public func load(_ sources: [DialplanSource], resolve: DialplanLoader.IncludeResolver) -> DialplanCheckResult {
        let (document, parseDiagnostics) = DialplanLoader.load(sources, resolve: resolve)
        var sink = DiagnosticSink()
        // One list in file order: a parse error and the checker's findings on the same line sit together.
        let all = (parseDiagnostics + check(document)).enumerated().sorted { a, b in
            a.element.location == b.element.location ? a.offset < b.offset : a.element.location < b.element.location
        }
        sink.add(contentsOf: all.map(\.element))
        return DialplanCheckResult(document: document, diagnostics: sink.diagnostics)
    }
}
