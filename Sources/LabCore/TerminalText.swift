extension String {
    /// The text with each control character (C0, DEL, C1) written as its escape, `\u{1B}`:
    /// text from outside the lab (a model name in a request, an upstream's error, a fault's
    /// body) is shown on a terminal, never obeyed by it (an escape sequence can clear the
    /// screen, retitle the window or move the cursor).
    public var terminalSafe: String {
        guard unicodeScalars.contains(where: Self.isControl) else { return self }
        var out = ""
        for scalar in unicodeScalars {
            if Self.isControl(scalar) {
                out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F..<0xA0).contains(scalar.value)
    }
}
