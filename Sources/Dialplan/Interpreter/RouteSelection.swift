import Foundation

extension DialplanDocument {
    /// The first route whose `match` lines all hold for the call, with the named groups its
    /// regular expressions captured (they become the call's variables). Nil: no route matches.
    public func selectRoute(for call: CallRequestFacts) -> (route: Route, captures: [String: String])? {
        routeLoop: for route in routes where route.isMatchable {
            var captures: [String: String] = [:]
            for condition in route.conditions {
                guard let found = condition.evaluate(call) else { continue routeLoop }
                captures.merge(found) { _, new in new }
            }
            return (route, captures)
        }
        return nil
    }

    /// The trunk whose `from` ranges hold the source address (4 or 16 bytes).
    ///
    /// Overlapping ranges resolve as in a routing table: the longest prefix wins, so one address
    /// can be carved out of a wider range for a trunk of its own (the checker refuses the same
    /// range twice, so there is never a tie).
    public func trunk(forSource address: [UInt8]) -> Trunk? {
        var best: (trunk: Trunk, prefixLength: Int)?
        for trunk in trunks {
            for range in trunk.sources where range.contains(address) && range.prefixLength > (best?.prefixLength ?? -1) {
                best = (trunk, range.prefixLength)
            }
        }
        return best?.trunk
    }

    /// Trunks for SIP phones: digest authentication and no source ranges, so they take calls
    /// from any address that proves a credential.
    public var phoneTrunks: [Trunk] {
        trunks.filter { $0.sources.isEmpty && $0.authentication != nil }
    }
}

extension MatchCondition {
    /// Nil when the condition does not hold; else the named regex groups it captured (none for a
    /// negated condition, which matched nothing).
    func evaluate(_ call: CallRequestFacts) -> [String: String]? {
        var captures: [String: String] = [:]
        let holds: Bool
        switch kind {
        case .any:
            holds = true
        case .called(let patterns):
            holds = Self.firstMatch(patterns, in: [call.called], into: &captures)
        case .caller(let patterns):
            holds = Self.firstMatch(patterns, in: [call.caller], into: &captures)
        case .callerName(let patterns):
            holds = Self.firstMatch(patterns, in: [call.callerDisplayName ?? ""], into: &captures)
        case .trunk(let names):
            holds = names.contains { $0.name == call.trunk }
        case .header(let name, let patterns):
            holds = Self.firstMatch(patterns, in: call.headers[name.lowercased()] ?? [], into: &captures)
        case .time(let window):
            let zone = window.timeZone.flatMap(TimeZone.init(identifier:)) ?? call.timeZone
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = zone
            let parts = calendar.dateComponents([.weekday, .hour, .minute], from: call.arrival)
            // Calendar counts Sunday as 1; the language counts ISO days, Monday as 1.
            let weekday = ((parts.weekday ?? 1) + 5) % 7 + 1
            holds = window.contains(weekday: weekday, minute: (parts.hour ?? 0) * 60 + (parts.minute ?? 0))
        }
        if negated { return holds ? nil : [:] }
        return holds ? captures : nil
    }

    private static func firstMatch(_ patterns: [NumberPattern], in values: [String], into captures: inout [String: String]) -> Bool {
        for value in values {
            for pattern in patterns {
                if let found = pattern.captures(value) {
                    captures = found
                    return true
                }
            }
        }
        return false
    }
}
