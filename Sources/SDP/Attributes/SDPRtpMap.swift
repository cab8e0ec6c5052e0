/// `a=rtpmap:<payload type> <encoding name>/<clock rate>[/<encoding parameters>]` (RFC 8866 §6.6).
public struct SDPRtpMap: Hashable, Sendable {
    public var payloadType: UInt8
    /// As written; compare case-insensitively (RFC 4855 §3: media subtype names are
    /// case-insensitive, and RFC 4733 §2.5.1.1 itself writes `pcmu`).
    public var encodingName: String
    public var clockRate: UInt32
    /// For audio, the channel count; absent means 1 (RFC 8866 §6.6).
    public var channels: UInt32?

    public init(payloadType: UInt8, encodingName: String, clockRate: UInt32, channels: UInt32? = nil) {
        self.payloadType = payloadType
        self.encodingName = encodingName
        self.clockRate = clockRate
        self.channels = channels
    }

    /// Parses the attribute value (after `rtpmap:`).
    public init(parsing value: String) throws(SDPAttributeError) {
        func fail(_ reason: String) -> SDPAttributeError {
            SDPAttributeError(attribute: "rtpmap", reason: reason)
        }
        let parts = value.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 2 else { throw fail("expected \"<payload type> <encoding>\", got \"\(value)\"") }
        guard let payloadType: UInt8 = SDPNumber.parse(parts[0]), payloadType <= 127 else {
            throw fail("invalid payload type \"\(parts[0])\"")
        }
        let encoding = parts[1].split(separator: "/", omittingEmptySubsequences: false)
        guard encoding.count == 2 || encoding.count == 3, !encoding[0].isEmpty else {
            throw fail("expected \"<name>/<clock rate>[/<parameters>]\", got \"\(parts[1])\"")
        }
        guard let clockRate: UInt32 = SDPNumber.parse(encoding[1]), clockRate > 0 else {
            throw fail("invalid clock rate \"\(encoding[1])\"")
        }
        var channels: UInt32? = nil
        if encoding.count == 3 {
            guard let count: UInt32 = SDPNumber.parse(encoding[2]), count > 0 else {
                throw fail("invalid encoding parameters \"\(encoding[2])\"")
            }
            channels = count
        }
        self.init(payloadType: payloadType, encodingName: String(encoding[0]), clockRate: clockRate, channels: channels)
    }

    /// The attribute value (after `rtpmap:`).
    public var attributeValue: String {
        var text = "\(payloadType) \(encodingName)/\(clockRate)"
        if let channels { text += "/\(channels)" }
        return text
    }

    public var attribute: SDPAttribute { SDPAttribute(name: "rtpmap", value: attributeValue) }

    /// The static audio payload types of RFC 3551 §6 Table 4 that may appear without an
    /// `a=rtpmap` line (RFC 8866 §6.6 only recommends one for static types).
    public static func staticAudio(payloadType: UInt8) -> SDPRtpMap? {
        let entry: (String, UInt32, UInt32?)? =
            switch payloadType {
            case 0: ("PCMU", 8000, 1)
            case 3: ("GSM", 8000, 1)
            case 4: ("G723", 8000, 1)
            case 5: ("DVI4", 8000, 1)
            case 6: ("DVI4", 16000, 1)
            case 7: ("LPC", 8000, 1)
            case 8: ("PCMA", 8000, 1)
            case 9: ("G722", 8000, 1)
            case 10: ("L16", 44100, 2)
            case 11: ("L16", 44100, 1)
            case 12: ("QCELP", 8000, 1)
            case 13: ("CN", 8000, 1)
            case 14: ("MPA", 90000, nil)
            case 15: ("G728", 8000, 1)
            case 16: ("DVI4", 11025, 1)
            case 17: ("DVI4", 22050, 1)
            case 18: ("G729", 8000, 1)
            default: nil
            }
        guard let (name, rate, channels) = entry else { return nil }
        return SDPRtpMap(payloadType: payloadType, encodingName: name, clockRate: rate, channels: channels)
    }
}
