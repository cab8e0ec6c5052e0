/// Bounds the parser enforces so that hostile input costs bounded memory and time.
///
/// RFC 3261 sets almost no upper bounds; these are the gateway's own, chosen well above what real
/// peers send (RFC 4475 §3.1.1.7 `longreq` is about 4 KiB with 34 Via values) and below what
/// would let one peer hold much memory.
public struct SIPLimits: Hashable, Sendable {
    /// Largest datagram accepted: the largest UDP payload (RFC 768 length field, IPv4 and IPv6
    /// without jumbograms). Exceeding it gives 513 Message Too Large (RFC 3261 §21.5.14).
    public var maxDatagramSize: Int
    /// Largest header section (start line, fields, folding) in octets. A stream peer that sends
    /// more without an empty line is cut off (RFC 3261 §18.3 leaves the bound to the element). 513.
    public var maxHeaderSectionSize: Int
    /// Most header lines in one message. 513.
    public var maxHeaderCount: Int
    /// Longest start line. A longer request line is answered 414 Request-URI Too Long
    /// (RFC 3261 §21.4.12), since the URI is what makes it long.
    public var maxStartLineLength: Int
    /// Longest single (unfolded) header field line. 513.
    public var maxHeaderLineLength: Int
    /// Largest body accepted on a stream (Content-Length). 413 Request Entity Too Large
    /// (RFC 3261 §21.4.11). On UDP the datagram size already bounds it.
    public var maxStreamBodySize: Int
    /// Most Via values: RFC 3261 §16.6 step 3 and Max-Forwards' usual 70 bound the real path
    /// length; more Vias than hops means a loop or an attack. 400.
    public var maxViaCount: Int
    /// Most parts in a multipart body (RFC 2046 sets no bound). 400.
    public var maxMultipartParts: Int

    public init(
        maxDatagramSize: Int = 65_535, maxHeaderSectionSize: Int = 16 * 1024, maxHeaderCount: Int = 256,
        maxStartLineLength: Int = 4096, maxHeaderLineLength: Int = 8192, maxStreamBodySize: Int = 1 << 20,
        maxViaCount: Int = 70, maxMultipartParts: Int = 32
    ) {
        self.maxDatagramSize = maxDatagramSize
        self.maxHeaderSectionSize = maxHeaderSectionSize
        self.maxHeaderCount = maxHeaderCount
        self.maxStartLineLength = maxStartLineLength
        self.maxHeaderLineLength = maxHeaderLineLength
        self.maxStreamBodySize = maxStreamBodySize
        self.maxViaCount = maxViaCount
        self.maxMultipartParts = maxMultipartParts
    }

    /// The defaults described on each property.
    public static let `default` = SIPLimits()
}
