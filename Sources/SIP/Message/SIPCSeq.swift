/// The CSeq header field (RFC 3261 §20.16): a sequence number and the request method.
public struct SIPCSeq: Hashable, Sendable, CustomStringConvertible {
    /// RFC 3261 §8.1.1.5: the sequence number MUST be less than 2**31.
    public static let maxSequence: UInt32 = (1 << 31) - 1

    public var sequence: UInt32
    public var method: SIPMethod

    public init(sequence: UInt32, method: SIPMethod) {
        self.sequence = sequence
        self.method = method
    }

    public var description: String { "\(sequence) \(method.token)" }

    /// Parses `1*DIGIT LWS Method`; leading zeros are allowed (RFC 4475 §3.1.1.1), a number of
    /// 2**31 or more is an error (RFC 4475 §3.1.2.4, §3.1.2.5).
    public init(parsing text: String) throws(SIPParseError) {
        let bytes = Array(text.utf8)
        var index = 0
        while index < bytes.count, SIPLexer.isWhitespace(bytes[index]) { index += 1 }
        let start = index
        while index < bytes.count, SIPLexer.isDigit(bytes[index]) { index += 1 }
        let digits = SIPLexer.string(bytes[start..<index])
        guard !digits.isEmpty else { throw SIPParseError.badHeader("CSeq", "missing sequence number") }
        guard let number = SIPLexer.decimal(digits, maximum: Int(SIPCSeq.maxSequence)) else {
            throw SIPParseError.badHeader("CSeq", "sequence number above 2**31")
        }
        let methodStart = index
        while index < bytes.count, SIPLexer.isWhitespace(bytes[index]) { index += 1 }
        guard index > methodStart else { throw SIPParseError.badHeader("CSeq", "missing method") }
        let method = SIPLexer.trim(bytes[index...])
        guard !method.isEmpty, method.allSatisfy(SIPLexer.isTokenChar) else {
            throw SIPParseError.badHeader("CSeq", "method is not a token")
        }
        self.init(sequence: UInt32(number), method: SIPMethod(SIPLexer.string(method)))
    }
}
