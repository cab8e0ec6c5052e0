extension AddressRange {
    /// Parses `192.0.2.0/24`, `192.0.2.7`, `2001:db8::/32`, `::1`. Host bits under the prefix must
    /// be zero (`10.1.2.3/8` is almost always a typo), so the range means what it says.
    public static func parse(_ text: String, at location: SourceLocation) throws(NumberPattern.Problem) -> AddressRange {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        let addressText = String(parts[0])
        let bytes: [UInt8]
        if addressText.contains(":") {
            guard let parsed = parseIPv6(addressText) else {
                throw NumberPattern.Problem(
                    offset: 0, message: "'\(text)' is not an IPv6 address or range", hint: "for example 2001:db8::/32 or ::1")
            }
            bytes = parsed
        } else {
            guard let parsed = parseIPv4(addressText) else {
                throw NumberPattern.Problem(
                    offset: 0, message: "'\(text)' is not an IPv4 address or range", hint: "for example 192.0.2.0/24 or 127.0.0.1")
            }
            bytes = parsed
        }
        let maxPrefix = bytes.count * 8
        var prefix = maxPrefix
        if parts.count == 2 {
            let prefixText = parts[1]
            guard let value = Int(prefixText), prefixText.allSatisfy({ $0.isASCII && $0.isNumber }), (0...maxPrefix).contains(value) else {
                throw NumberPattern.Problem(
                    offset: addressText.count + 1, message: "prefix length '/\(prefixText)' must be 0 to \(maxPrefix)")
            }
            prefix = value
        }
        let range = AddressRange(address: bytes, prefixLength: prefix, location: location)
        let network = range.networkAddress
        guard network == bytes else {
            throw NumberPattern.Problem(
                offset: 0, message: "'\(text)' has bits set after the /\(prefix) prefix",
                hint: "did you mean \(format(network))/\(prefix)?")
        }
        return range
    }

    /// The address with every bit after the prefix cleared.
    var networkAddress: [UInt8] {
        var bits = prefixLength
        return address.map { byte in
            defer { bits -= 8 }
            if bits >= 8 { return byte }
            if bits <= 0 { return 0 }
            return byte & ~(UInt8(0xFF) >> UInt8(bits))
        }
    }

    /// The bytes of an IPv4 or IPv6 literal (brackets and an IPv6 zone allowed), for `contains`.
    public static func addressBytes(_ text: String) -> [UInt8]? {
        var host = Substring(text)
        if host.hasPrefix("["), host.hasSuffix("]") { host = host.dropFirst().dropLast() }
        if let zone = host.firstIndex(of: "%") { host = host[..<zone] }
        if host.hasPrefix("::ffff:"), let v4 = parseIPv4(String(host.dropFirst(7))) { return v4 }
        return parseIPv4(String(host)) ?? parseIPv6(String(host))
    }

    static func parseIPv4(_ text: String) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var bytes: [UInt8] = []
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy({ $0.isASCII && $0.isNumber }), let value = UInt8(part) else {
                return nil
            }
            bytes.append(value)
        }
        return bytes
    }

    static func parseIPv6(_ text: String) -> [UInt8]? {
        // At most one `::`, which stands for as many zero groups as are missing.
        let halves = text.components(separatedByDoubleColon: ())
        guard halves.count <= 2 else { return nil }
        func groups(_ part: Substring) -> [UInt16]? {
            if part.isEmpty { return [] }
            var result: [UInt16] = []
            for group in part.split(separator: ":", omittingEmptySubsequences: false) {
                guard (1...4).contains(group.count), let value = UInt16(group, radix: 16) else { return nil }
                result.append(value)
            }
            return result
        }
        guard let head = groups(halves[0]) else { return nil }
        var all: [UInt16]
        if halves.count == 2 {
            guard let tail = groups(halves[1]), head.count + tail.count <= 7 else { return nil }
            all = head + Array(repeating: 0, count: 8 - head.count - tail.count) + tail
        } else {
            guard head.count == 8 else { return nil }
            all = head
        }
        return all.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
    }

    static func format(_ bytes: [UInt8]) -> String {
        if bytes.count == 4 { return bytes.map(String.init).joined(separator: ".") }
        var groups: [UInt16] = []
        var i = 0
        while i + 1 < bytes.count {
            groups.append(UInt16(bytes[i]) << 8 | UInt16(bytes[i + 1]))
            i += 2
        }
        // RFC 5952 §4.2: the longest run of two or more zero groups becomes "::".
        var best: Range<Int>?
        var start: Int?
        for index in 0...groups.count {
            if index < groups.count, groups[index] == 0 {
                if start == nil { start = index }
            } else if let s = start {
                if index - s >= 2, index - s > (best?.count ?? 0) { best = s..<index }
                start = nil
            }
        }
        let text = groups.map { String($0, radix: 16) }
        guard let run = best else { return text.joined(separator: ":") }
        return text[..<run.lowerBound].joined(separator: ":") + "::" + text[run.upperBound...].joined(separator: ":")
    }
}

extension String {
    /// Splits at `::` (not at single colons).
    fileprivate func components(separatedByDoubleColon: Void) -> [Substring] {
        var result: [Substring] = []
        var rest = self[...]
        while let range = rest.firstRange(of: "::") {
            result.append(rest[..<range.lowerBound])
            rest = rest[range.upperBound...]
        }
        result.append(rest)
        return result
    }
}
