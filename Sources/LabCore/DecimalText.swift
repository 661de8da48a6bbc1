/// Small non-negative integers as decimal strings, made once: a body's length, a status
/// code, a retry count are written into every answer's head, and formatting an integer is
/// a generic call and a string made each time. (Small strings allocate nothing; the same
/// string each time also compares equal without a look at its bytes.)
public enum DecimalText {
    public static func of(_ n: Int) -> String {
        n >= 0 && n < texts.count ? texts[n] : String(n)
    }

    private static let texts = (0..<2048).map { String($0) }
}
