extension DialplanParser {
    /// `match [not] KIND ARGUMENTS...`.
    mutating func matchCondition(_ node: SyntaxNode) -> MatchCondition? {
        var args = node.arguments[...]
        var negated = false
        if case .word("not") = args.first?.value {
            negated = true
            args = args.dropFirst()
        }
        guard let kindArgument = args.first else {
            sink.error(
                node.location, "'match' needs what to match",
                hint: "match called 1000  (or: \(DialplanParser.matchKinds.joined(separator: ", ")))")
            return nil
        }
        args = args.dropFirst()
        guard case .word(let kindName) = kindArgument.value, DialplanParser.matchKinds.contains(kindName) else {
            let word = text(kindArgument) ?? ""
            sink.error(
                kindArgument.location, "unknown match \(kindArgument.shown)",
                hint: DialplanParser.closest(to: word, in: DialplanParser.matchKinds).map { "did you mean '\($0)'?" }
                    ?? "match one of: \(DialplanParser.matchKinds.joined(separator: ", "))")
            return nil
        }
        func patterns() -> [NumberPattern]? {
            guard !args.isEmpty else {
                sink.error(
                    kindArgument.location, "'match \(kindName)' needs at least one number or pattern",
                    hint: "match \(kindName) _1NXXNXXXXXX")
                return nil
            }
            let list = args.compactMap { pattern($0) }
            return list.count == args.count ? list : nil
        }
        let kind: MatchCondition.Kind
        switch kindName {
        case "any":
            if let extra = args.first {
                sink.error(extra.location, "'match any' takes no arguments")
                return nil
            }
            if negated {
                sink.error(node.location, "'match not any' can never match", hint: "a route without match lines runs only through goto")
                return nil
            }
            kind = .any
        case "called":
            guard let list = patterns() else { return nil }
            kind = .called(list)
        case "caller":
            guard let list = patterns() else { return nil }
            kind = .caller(list)
        case "caller-name":
            guard let list = patterns() else { return nil }
            kind = .callerName(list)
        case "trunk":
            guard !args.isEmpty else {
                sink.error(kindArgument.location, "'match trunk' needs at least one trunk name", hint: "match trunk carrier")
                return nil
            }
            let names = args.compactMap { reference($0, what: "trunk name") }
            guard names.count == args.count else { return nil }
            kind = .trunk(names)
        case "header":
            guard let nameArgument = args.first, let headerName = text(nameArgument), !headerName.isEmpty,
                headerName.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ".") })
            else {
                sink.error(
                    args.first?.location ?? kindArgument.location, "'match header' needs a header name",
                    hint: "match header X-Meeting-Room /^[0-9]+$/")
                return nil
            }
            args = args.dropFirst()
            guard let list = patterns() else { return nil }
            kind = .header(name: headerName, list)
        default:
            guard let window = timeWindow(Array(args), at: kindArgument.location) else { return nil }
            kind = .time(window)
        }
        return MatchCondition(kind: kind, negated: negated, location: node.location)
    }

    /// `[DAYS...] [HH:MM-HH:MM] [zone "Area/City"]`, e.g. `mon-fri 09:00-17:00`.
    mutating func timeWindow(_ args: [SyntaxArgument], at location: SourceLocation) -> TimeWindow? {
        let usage = "match time mon-fri 09:00-17:00 zone \"Europe/Berlin\""
        var window = TimeWindow(weekdays: [])
        var index = 0
        var sawDays = false
        while index < args.count {
            let argument = args[index]
            index += 1
            guard let word = text(argument) else {
                sink.error(argument.location, "unexpected \(argument.shown) in 'match time'", hint: usage)
                return nil
            }
            if word == "zone" {
                guard index < args.count, case .string(let zone) = args[index].value, !zone.isEmpty else {
                    sink.error(argument.location, "'zone' needs a quoted time zone name", hint: usage)
                    return nil
                }
                window.timeZone = zone
                index += 1
            } else if word.contains(":") {
                guard window.start == nil else {
                    sink.error(argument.location, "only one time range per 'match time' line", hint: "use two routes for two ranges")
                    return nil
                }
                guard let (start, end) = timeRange(word), start != end else {
                    sink.error(argument.location, "'\(word)' is not a time range", hint: "HH:MM-HH:MM, 24-hour clock, e.g. 18:00-08:00")
                    return nil
                }
                window.start = start
                window.end = end
            } else {
                guard let days = dayRange(word) else {
                    sink.error(
                        argument.location, "'\(word)' is not a day or day range",
                        hint: "days are mon tue wed thu fri sat sun; ranges like mon-fri")
                    return nil
                }
                sawDays = true
                window.weekdays.formUnion(days)
            }
        }
        if !sawDays { window.weekdays = Set(1...7) }
        if !sawDays, window.start == nil {
            sink.error(location, "'match time' needs days, a time range, or both", hint: usage)
            return nil
        }
        return window
    }

    /// `mon`, `mon-fri`, `fri-mon` (wraps past Sunday).
    func dayRange(_ word: String) -> Set<Int>? {
        let parts = word.split(separator: "-", omittingEmptySubsequences: false).map { String($0) }
        let numbers = parts.compactMap { DialplanParser.weekdays.firstIndex(of: $0).map { $0 + 1 } }
        guard numbers.count == parts.count else { return nil }
        switch numbers.count {
        case 1: return [numbers[0]]
        case 2:
            var days: Set<Int> = []
            var day = numbers[0]
            while true {
                days.insert(day)
                if day == numbers[1] { break }
                day = day == 7 ? 1 : day + 1
            }
            return days
        default: return nil
        }
    }

    /// `HH:MM-HH:MM` in minutes after midnight; `24:00` is allowed as an end.
    func timeRange(_ word: String) -> (Int, Int)? {
        let parts = word.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return nil }
        func minutes(_ text: Substring) -> Int? {
            let hm = text.split(separator: ":", omittingEmptySubsequences: false)
            guard hm.count == 2, hm[0].count == 2, hm[1].count == 2,
                hm.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }),
                let h = Int(hm[0]), let m = Int(hm[1]), m < 60, h < 24 || (h == 24 && m == 0)
            else { return nil }
            return h * 60 + m
        }
        guard let start = minutes(parts[0]), let end = minutes(parts[1]), start < 24 * 60 else { return nil }
        return (start, end)
    }
}
