import RTP

/// Hex string ("80 64 00 12" or "806400") to bytes, for readable expectations.
func hex(_ text: String) -> [UInt8] {
    let digits = text.filter { $0.isHexDigit }
    var bytes: [UInt8] = []
    var index = digits.startIndex
    while index < digits.endIndex {
        let next = digits.index(index, offsetBy: 2)
        bytes.append(UInt8(digits[index..<next], radix: 16)!)
        index = next
    }
    return bytes
}

/// Catches a typed RTP error, for `#expect(throwing(...) == .something)`.
func rtpError<T>(_ body: () throws(RTPError) -> T) -> RTPError? {
    do {
        _ = try body()
        return nil
    } catch {
        return error
    }
}
