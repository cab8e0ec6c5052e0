/// Typed views of the media-level attributes a gateway uses. Attributes whose values do not
/// parse are skipped, never fatal: RFC 3264 §6 and RFC 4568 §5.1.2 have the answerer ignore
/// what it cannot use.
extension MediaDescription {
    /// Every readable `a=rtpmap`, in order.
    public var rtpMaps: [SDPRtpMap] {
        attributes.values(of: "rtpmap").compactMap { try? SDPRtpMap(parsing: $0) }
    }

    /// The mapping for one payload type: its `a=rtpmap`, or for a static audio type without one,
    /// the RFC 3551 §6 table entry.
    public func rtpMap(forPayloadType payloadType: UInt8) -> SDPRtpMap? {
        // The same answer as `rtpMaps.first { $0.payloadType == payloadType }`, parsing only the
        // mapping asked for: the answerer asks once per offered format.
        for attribute in attributes where attribute.name == "rtpmap" {
            guard let value = attribute.value,
                let number = value.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true).first,
                SDPNumber.parse(number) == payloadType, let mapped = try? SDPRtpMap(parsing: value)
            else { continue }
            return mapped
        }
        return media == "audio" ? SDPRtpMap.staticAudio(payloadType: payloadType) : nil
    }

    /// Every readable `a=fmtp`, in order.
    public var formatParameters: [SDPFormatParameters] {
        attributes.values(of: "fmtp").compactMap { try? SDPFormatParameters(parsing: $0) }
    }

    /// The `a=fmtp` for one format, if any.
    public func formatParameters(for format: String) -> SDPFormatParameters? {
        // As `formatParameters.first { $0.format == format }`, parsing only that format's line.
        for attribute in attributes where attribute.name == "fmtp" {
            guard let value = attribute.value, let space = value.firstIndex(of: " "), value[..<space] == format,
                let parameters = try? SDPFormatParameters(parsing: value)
            else { continue }
            return parameters
        }
        return nil
    }

    /// `a=ptime` in milliseconds (RFC 8866 §6.4). RFC 8866 allows a decimal fraction; it is
    /// rounded down, as packet times in use are whole milliseconds.
    public var ptime: Int? { milliseconds("ptime") }

    /// `a=maxptime` in milliseconds (RFC 8866 §6.5).
    public var maxptime: Int? { milliseconds("maxptime") }

    /// The media-level direction attribute, if any (RFC 8866 §6.7).
    public var direction: SDPDirection? {
        get { SDPDirection.find(in: attributes) }
        set {
            let index = attributes.firstIndex { $0.value == nil && SDPDirection(rawValue: $0.name) != nil }
            attributes.removeAll { $0.value == nil && SDPDirection(rawValue: $0.name) != nil }
            if let newValue {
                attributes.insert(newValue.attribute, at: min(index ?? attributes.count, attributes.count))
            }
        }
    }

    /// `a=rtcp-mux`: RTP and RTCP share one port (RFC 5761 §5.1.1).
    public var rtcpMux: Bool { attributes.contains(named: "rtcp-mux") }

    /// `a=rtcp`: an explicit RTCP port and address (RFC 3605).
    public var rtcp: SDPRtcpAttribute? {
        attributes.firstValue(of: "rtcp").flatMap { try? SDPRtcpAttribute(parsing: $0) }
    }

    /// Every readable `a=crypto` in offer order, which is preference order (RFC 4568 §5.1.1).
    public var crypto: [SDPCrypto] {
        attributes.values(of: "crypto").compactMap { try? SDPCrypto(parsing: $0) }
    }

    private func milliseconds(_ name: String) -> Int? {
        guard let text = attributes.firstValue(of: name)?.trimmingSpaces() else { return nil }
        let whole = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)[0]
        guard let value: UInt32 = SDPNumber.parse(whole), value > 0 else { return nil }
        return Int(exactly: value)
    }
}

extension SessionDescription {
    /// The session-level direction attribute, if any.
    public var direction: SDPDirection? { SDPDirection.find(in: attributes) }

    /// The direction in force for a media section: its own attribute, else the session's,
    /// else `sendrecv` (RFC 8866 §6.7).
    public func effectiveDirection(of media: MediaDescription) -> SDPDirection {
        media.direction ?? direction ?? .sendrecv
    }

    /// The connection in force for a media section: its own `c=`, else the session's
    /// (RFC 8866 §5.7).
    public func effectiveConnection(of media: MediaDescription) -> SDPConnection? {
        media.connection ?? connection
    }
}
