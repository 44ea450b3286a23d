/// Text from an answer, made safe to print on a terminal or in a CI log.
///
/// A hostile (or broken) server chooses the bytes of its answers, and failure
/// lines quote them. Printed raw, an ESC starts a terminal control sequence:
/// it can move the cursor and overwrite the verdict, retitle the window, or
/// (OSC 52) write the user's clipboard. A bidirectional override (U+202A–E,
/// U+2066–9) can make a line read otherwise than it is. So every control
/// character (C0 but tab, DEL, C1) and every bidi control is shown as its
/// escape `\u{1B}`, visible and harmless; the rest of the text is unchanged.
public enum TerminalText {
    public static func escapingControls(_ s: String) -> String {
        guard s.unicodeScalars.contains(where: needsEscape) else { return s }
        var out = ""
        out.reserveCapacity(s.utf8.count + 16)
        for scalar in s.unicodeScalars {
            if needsEscape(scalar) {
                out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    static func needsEscape(_ c: Unicode.Scalar) -> Bool {
        switch c.value {
        case 0x09: false
        case 0x00...0x1F, 0x7F...0x9F: true
        case 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }
}
