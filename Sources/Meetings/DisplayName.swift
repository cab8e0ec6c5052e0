/// Makes a name safe to show to everyone in a meeting: no control characters, no bidirectional
/// overrides or invisible formatting (which can make a name read as someone else's, or reverse
/// the text after it), no line breaks, runs of white space folded to one space, a cap on combining
/// marks per character (so a name cannot smear over its neighbours), and a length limit.
public enum DisplayName {
    /// Scalars kept in one character: enough for any emoji ZWJ sequence or accented letter.
    public static let maxScalarsPerCharacter = 10

    /// The sanitised form of `raw`, at most `maxCharacters` characters; empty when nothing is left.
    public static func sanitize(_ raw: String, maxCharacters: Int) -> String {
        var result = ""
        var characters = 0
        var pendingSpace = false
        for character in raw {
            guard characters < maxCharacters else { break }
            if character.unicodeScalars.allSatisfy(isSpace) {
                pendingSpace = !result.isEmpty
                continue
            }
            var scalars = String.UnicodeScalarView()
            for scalar in character.unicodeScalars where isAllowed(scalar) {
                guard scalars.count < maxScalarsPerCharacter else { break }
                scalars.append(scalar)
            }
            guard !scalars.isEmpty else { continue }
            if pendingSpace {
                result.append(" ")
                characters += 1
                pendingSpace = false
                guard characters < maxCharacters else { break }
            }
            result.unicodeScalars.append(contentsOf: scalars)
            characters += 1
        }
        return result
    }

    /// White space and separators (tabs, line and paragraph separators) become one plain space.
    private static func isSpace(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.isWhitespace || scalar.properties.generalCategory == .lineSeparator
            || scalar.properties.generalCategory == .paragraphSeparator
    }

    private static func isAllowed(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .surrogate, .unassigned, .lineSeparator, .paragraphSeparator:
            return false
        case .format:
            // Bidi overrides and isolates, zero-width spaces, the BOM ... go; the zero-width joiner
            // stays, or emoji sequences such as 👩‍💻 fall apart.
            return scalar.value == 0x200D
        default:
            return !isSpace(scalar)
        }
    }
}
