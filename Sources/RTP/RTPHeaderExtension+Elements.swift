/// One RFC 8285 header extension element: a local identifier and its data.
public struct RTPHeaderExtensionElement: Sendable, Hashable {
    /// RFC 8285 §4.2: 1–14 in the one-byte form; §4.3: 1–255 in the two-byte form.
    public var id: UInt8
    public var data: ArraySlice<UInt8>

    public init(id: UInt8, data: ArraySlice<UInt8>) {
        self.id = id
        self.data = data
    }

    public init(id: UInt8, data: [UInt8]) {
        self.init(id: id, data: data[...])
    }
}

extension RTPHeaderExtension {
    /// RFC 8285 §4.2: the "defined by profile" value of the one-byte header form.
    public static let oneByteProfile: UInt16 = 0xBEDE
    /// RFC 8285 §4.3: two-byte form is `0x100` followed by 4 application bits (`0x1000...0x100F`).
    public static let twoByteProfileMask: UInt16 = 0xFFF0
    public static let twoByteProfile: UInt16 = 0x1000

    /// The RFC 8285 form this extension uses, judged by its profile value.
    public enum ElementForm: Sendable, Hashable {
        case oneByte
        case twoByte(appBits: UInt8)
        /// Not an RFC 8285 extension: a profile-specific body (RFC 3550 §5.3.1).
        case profileSpecific
    }

    public var elementForm: ElementForm {
        if profile == Self.oneByteProfile { return .oneByte }
        if profile & Self.twoByteProfileMask == Self.twoByteProfile {
            return .twoByte(appBits: UInt8(truncatingIfNeeded: profile & 0x000F))
        }
        return .profileSpecific
    }

    /// The RFC 8285 elements, in order. Padding bytes (0) between elements are skipped.
    /// Returns an empty array for a profile-specific extension.
    public func elements() throws(RTPError) -> [RTPHeaderExtensionElement] {
        var result: [RTPHeaderExtensionElement] = []
        var index = data.startIndex
        switch elementForm {
        case .profileSpecific:
            return []
        case .oneByte:
            while index < data.endIndex {
                let byte = data[index]
                if byte == 0 {  // RFC 8285 §4.2: padding byte
                    index += 1
                    continue
                }
                let id = byte >> 4
                // RFC 8285 §4.2: id 15 is reserved; "the local identifier value 15 ... MUST stop parsing".
                if id == 15 { break }
                let length = Int(byte & 0x0F) + 1
                let start = index + 1
                guard length <= data.endIndex - start else {
                    throw .malformedExtensionElement("one-byte element \(id) needs \(length) bytes, \(data.endIndex - start) left")
                }
                result.append(RTPHeaderExtensionElement(id: id, data: data[start..<(start + length)]))
                index = start + length
            }
        case .twoByte:
            while index < data.endIndex {
                let id = data[index]
                if id == 0 {  // RFC 8285 §4.3: padding byte
                    index += 1
                    continue
                }
                guard index + 1 < data.endIndex else {
                    throw .malformedExtensionElement("two-byte element \(id) has no length byte")
                }
                let length = Int(data[index + 1])
                let start = index + 2
                guard length <= data.endIndex - start else {
                    throw .malformedExtensionElement("two-byte element \(id) needs \(length) bytes, \(data.endIndex - start) left")
                }
                result.append(RTPHeaderExtensionElement(id: id, data: data[start..<(start + length)]))
                index = start + length
            }
        }
        return result
    }

    /// Builds an RFC 8285 extension, one-byte form when every element allows it (id 1–14, 1–16 bytes),
    /// else the two-byte form (id 1–255, 0–255 bytes). The body is zero-padded to a 32-bit boundary.
    public init(elements: [RTPHeaderExtensionElement]) throws(RTPError) {
        let oneByte = elements.allSatisfy { (1...14).contains($0.id) && (1...16).contains($0.data.count) }
        var body: [UInt8] = []
        for element in elements {
            if oneByte {
                body.append(element.id << 4 | UInt8(element.data.count - 1))
            } else {
                guard element.id != 0 else { throw .malformedExtensionElement("element id 0 is reserved for padding") }
                try checkField("two-byte extension element length", element.data.count, limit: 255)
                body.append(element.id)
                body.append(UInt8(element.data.count))
            }
            body.append(contentsOf: element.data)
        }
        while body.count % 4 != 0 { body.append(0) }
        try checkField("header extension length", body.count, limit: Self.maximumDataLength)
        self.init(profile: oneByte ? Self.oneByteProfile : Self.twoByteProfile, data: body)
    }
}
