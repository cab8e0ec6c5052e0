extension StringProtocol {
    /// Without leading and trailing spaces and tabs (SIP's WSP, RFC 3261 §25.1).
    var trimmedSpaces: String {
        let isSpace = { (c: Character) in c == " " || c == "\t" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[first...last])
    }
}
