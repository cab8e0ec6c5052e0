/// Reads the KID of an SFrame frame's header (RFC 9605 §4.3) without touching anything else.
///
/// ```
///  0 1 2 3 4 5 6 7
/// +-+-+-+-+-+-+-+-+------------+------------+
/// |X|  K  |Y|  C  |   KID...   |   CTR...   |
/// +-+-+-+-+-+-+-+-+------------+------------+
/// ```
/// With X clear the KID is K (0–7); with X set, K+1 big-endian octets follow the config byte.
/// The `Frames` target owns the full header codec; the forwarder only needs the KID, to check that
/// a frame claims the sender index of the participant who sent it (otherwise one key holder could
/// make its audio appear under another participant's name), and it must not depend on the crypto.
public enum SFrameKeyID {
    /// The KID, or nil when the header is cut short.
    public static func read(_ frame: some Collection<UInt8>) -> UInt64? {
        var iterator = frame.makeIterator()
        guard let config = iterator.next() else { return nil }
        let k = UInt64((config >> 4) & 0x07)
        guard config & 0x80 != 0 else { return k }
        var keyID: UInt64 = 0
        for _ in 0...k {
            guard let octet = iterator.next() else { return nil }
            keyID = keyID << 8 | UInt64(octet)
        }
        return keyID
    }
}
