/// One DTMF key: 0–9, `*`, `#`, A–D. The raw value is the RFC 4733 §3.2 event code.
public enum DTMFDigit: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case zero = 0, one, two, three, four, five, six, seven, eight, nine
    case star = 10, pound = 11, a = 12, b = 13, c = 14, d = 15

    /// ITU-T Q.23 low (row) group frequencies, Hz.
    public static let rowFrequencies: [Double] = [697, 770, 852, 941]
    /// ITU-T Q.23 high (column) group frequencies, Hz.
    public static let columnFrequencies: [Double] = [1209, 1336, 1477, 1633]

    /// Keypad layout (Q.23 Figure 1): rows 697...941 Hz, columns 1209...1633 Hz.
    static let keypad: [[DTMFDigit]] = [
        [.one, .two, .three, .a],
        [.four, .five, .six, .b],
        [.seven, .eight, .nine, .c],
        [.star, .zero, .pound, .d],
    ]

    /// The key's character: "0"..."9", "*", "#", "A"..."D".
    public var character: Character {
        switch self {
        case .star: "*"
        case .pound: "#"
        case .a: "A"
        case .b: "B"
        case .c: "C"
        case .d: "D"
        default: Character(Unicode.Scalar(UInt8(ascii: "0") + rawValue))
        }
    }

    public var description: String { String(character) }

    /// The digit for a keypad character (case-insensitive letters), or nil.
    public init?(_ character: Character) {
        switch character {
        case "*": self = .star
        case "#": self = .pound
        case "A", "a": self = .a
        case "B", "b": self = .b
        case "C", "c": self = .c
        case "D", "d": self = .d
        default:
            guard let value = character.wholeNumberValue, (0...9).contains(value), character.isASCII else { return nil }
            self.init(rawValue: UInt8(value))
        }
    }

    /// Row (0...3) and column (0...3) on the keypad.
    var position: (row: Int, column: Int) {
        for row in 0..<4 {
            if let column = Self.keypad[row].firstIndex(of: self) { return (row, column) }
        }
        return (0, 0)
    }

    /// The low-group frequency of this key, Hz.
    public var rowFrequency: Double { Self.rowFrequencies[position.row] }
    /// The high-group frequency of this key, Hz.
    public var columnFrequency: Double { Self.columnFrequencies[position.column] }
}
