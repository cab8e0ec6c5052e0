/// `a=crypto:<tag> <crypto-suite> <key-params> [<session-params>]` (RFC 4568 §9.1): one SDES
/// security description. Parsed and serialized only; keying SRTP is the media layer's business.
public struct SDPCrypto: Hashable, Sendable {
    /// `1*9DIGIT`; the answer echoes the tag of the line it accepts (RFC 4568 §5.1.2).
    public var tag: UInt32
    /// E.g. `AES_CM_128_HMAC_SHA1_80` (RFC 4568 §6.2).
    public var suite: String
    /// One or more key parameters; several only when keys are told apart by MKI (RFC 4568 §6.1).
    public var keyParams: [SDPCryptoKeyParam]
    /// Session parameters (`FEC_ORDER=FEC_SRTP`, `KDR=...`, `UNENCRYPTED_SRTP`, ...), verbatim.
    public var sessionParams: [String]

    public init(tag: UInt32, suite: String, keyParams: [SDPCryptoKeyParam], sessionParams: [String] = []) {
        self.tag = tag
        self.suite = suite
        self.keyParams = keyParams
        self.sessionParams = sessionParams
    }

    /// Parses the attribute value (after `crypto:`).
    public init(parsing value: String) throws(SDPAttributeError) {
        func fail(_ reason: String) -> SDPAttributeError {
            SDPAttributeError(attribute: "crypto", reason: reason)
        }
        // RFC 4568 §9.1 separates the fields with 1*WSP.
        let fields = value.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard fields.count >= 3 else { throw fail("expected \"<tag> <crypto-suite> <key-params>\", got \"\(value)\"") }
        guard fields[0].count <= 9, let tag: UInt32 = SDPNumber.parse(fields[0]) else {
            throw fail("invalid tag \"\(fields[0])\" (1 to 9 digits)")
        }
        let suite = fields[1]
        guard suite.utf8.allSatisfy(SDPCrypto.isSuiteOrMethodByte) else {
            throw fail("invalid crypto-suite \"\(suite)\"")
        }
        var keyParams: [SDPCryptoKeyParam] = []
        for part in fields[2].split(separator: ";", omittingEmptySubsequences: false) {
            keyParams.append(try SDPCryptoKeyParam(parsing: part))
        }
        self.init(
            tag: tag, suite: String(suite), keyParams: keyParams,
            sessionParams: fields.dropFirst(3).map(String.init))
    }

    /// The attribute value (after `crypto:`).
    public var attributeValue: String {
        var text = "\(tag) \(suite) " + keyParams.map(\.text).joined(separator: ";")
        for parameter in sessionParams { text += " \(parameter)" }
        return text
    }

    public var attribute: SDPAttribute { SDPAttribute(name: "crypto", value: attributeValue) }

    /// `ALPHA / DIGIT / "_"` (RFC 4568 §9.1 crypto-suite and key-method-ext).
    static func isSuiteOrMethodByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"):
            true
        default: false
        }
    }
}

/// One `key-method ":" key-info` (RFC 4568 §9.1), with the SRTP key-info
/// `key-salt ["|" lifetime] ["|" mki]` (§6.1) split out for the `inline` method.
public struct SDPCryptoKeyParam: Hashable, Sendable {
    /// `inline` is the only method RFC 4568 defines.
    public var method: String
    /// For `inline`, the base64 master key and salt concatenated (RFC 4568 §6.1). For other
    /// methods, the whole key-info verbatim.
    public var keySalt: String
    public var lifetime: SDPCryptoLifetime?
    public var mki: SDPCryptoMKI?

    public init(
        method: String = "inline", keySalt: String, lifetime: SDPCryptoLifetime? = nil, mki: SDPCryptoMKI? = nil
    ) {
        self.method = method
        self.keySalt = keySalt
        self.lifetime = lifetime
        self.mki = mki
    }

    /// An inline key from the raw master key and salt bytes.
    public init(masterKeyAndSalt: [UInt8], lifetime: SDPCryptoLifetime? = nil, mki: SDPCryptoMKI? = nil) {
        self.init(keySalt: SDPBase64.encode(masterKeyAndSalt), lifetime: lifetime, mki: mki)
    }

    init(parsing text: Substring) throws(SDPAttributeError) {
        func fail(_ reason: String) -> SDPAttributeError {
            SDPAttributeError(attribute: "crypto", reason: reason)
        }
        guard let colon = text.firstIndex(of: ":"), colon != text.startIndex else {
            throw fail("expected \"<key-method>:<key-info>\", got \"\(text)\"")
        }
        let method = text[..<colon]
        let info = text[text.index(after: colon)...]
        guard method.utf8.allSatisfy(SDPCrypto.isSuiteOrMethodByte) else {
            throw fail("invalid key-method \"\(method)\"")
        }
        // key-info: visible characters except ";" (already split off).
        guard !info.isEmpty, info.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else {
            throw fail("invalid key-info \"\(info)\"")
        }
        self.method = String(method)
        guard method == "inline" else {
            keySalt = String(info)
            return
        }
        let parts = info.split(separator: "|", omittingEmptySubsequences: false)
        guard parts.count <= 3, SDPBase64.decode(parts[0]) != nil else {
            throw fail("invalid inline key-info \"\(info)\"")
        }
        keySalt = String(parts[0])
        for part in parts.dropFirst() {
            // The MKI is the part with a colon (RFC 4568 §9.1: lifetime and MKI are both optional).
            if part.contains(":") {
                guard mki == nil, let parsed = SDPCryptoMKI(parsing: part) else {
                    throw fail("invalid MKI \"\(part)\"")
                }
                mki = parsed
            } else {
                guard lifetime == nil, mki == nil, let parsed = SDPCryptoLifetime(parsing: part) else {
                    throw fail("invalid lifetime \"\(part)\"")
                }
                lifetime = parsed
            }
        }
    }

    /// The key-param text (`inline:<key||salt>[|lifetime][|mki:length]`).
    public var text: String {
        var text = "\(method):\(keySalt)"
        if let lifetime { text += "|\(lifetime.text)" }
        if let mki { text += "|\(mki.value):\(mki.length)" }
        return text
    }

    /// The master key followed by the master salt, for `inline` keys (RFC 4568 §6.1); `nil` if
    /// the method is not `inline`.
    public var masterKeyAndSalt: [UInt8]? {
        method == "inline" ? SDPBase64.decode(keySalt[...]) : nil
    }
}

/// The SRTP master key lifetime (RFC 4568 §6.1): a packet count, or `2^n`.
public enum SDPCryptoLifetime: Hashable, Sendable {
    case powerOfTwo(UInt8)
    case packets(UInt64)

    init?(parsing text: Substring) {
        if text.hasPrefix("2^") {
            guard let exponent: UInt8 = SDPNumber.parse(text.dropFirst(2)), exponent <= 64 else { return nil }
            self = .powerOfTwo(exponent)
        } else {
            guard let count: UInt64 = SDPNumber.parse(text) else { return nil }
            self = .packets(count)
        }
    }

    var text: String {
        switch self {
        case .powerOfTwo(let exponent): "2^\(exponent)"
        case .packets(let count): "\(count)"
        }
    }
}

/// The master key identifier `value:length` (RFC 4568 §6.1): the MKI value and its size in
/// bytes in each SRTP packet (1...128).
public struct SDPCryptoMKI: Hashable, Sendable {
    public var value: UInt64
    public var length: UInt8

    public init(value: UInt64, length: UInt8) {
        self.value = value
        self.length = length
    }

    init?(parsing text: Substring) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[1].count <= 3,
            let value: UInt64 = SDPNumber.parse(parts[0]),
            let length: UInt8 = SDPNumber.parse(parts[1]), (1...128).contains(length)
        else { return nil }
        self.init(value: value, length: length)
    }
}
