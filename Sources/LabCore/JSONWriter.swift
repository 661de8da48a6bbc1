extension JSONValue {
    /// Compact JSON, escaped the way Go's `encoding/json` escapes (`<`, `>`, `&`
    /// as `\u003c`…), since the mock imitates a Go server byte for byte where it can.
    public var compact: String {
        String(decoding: compactBytes, as: UTF8.self)
    }

    /// The same as bytes, for a body about to be sent.
    public var compactBytes: [UInt8] {
        var out = ByteBuffer(capacity: 256)
        write(to: &out, indent: nil, level: 0)
        return out.bytes
    }

    /// Compact JSON as JavaScript's `JSON.stringify` writes it: `<`, `>`, `&` and
    /// U+2028/2029 left as they are (the Portkey gateway is a Node program).
    public var javaScriptCompact: String {
        String(decoding: javaScriptCompactBytes, as: UTF8.self)
    }

    /// The same as bytes, for a body about to be sent: no string made and taken apart again.
    public var javaScriptCompactBytes: [UInt8] {
        var out = ByteBuffer(capacity: 256)
        write(to: &out, indent: nil, level: 0, htmlSafe: false)
        return out.bytes
    }

    /// Indented JSON for people (reports, `GET /__lab/…`).
    public var pretty: String {
        var out = ByteBuffer(capacity: 1024)
        write(to: &out, indent: 2, level: 0)
        return out.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
    }

    func write(to out: inout ByteBuffer, indent: Int?, level: Int, htmlSafe: Bool = true) {
        switch self {
        case .null: out.append("null")
        case .bool(let b): out.append(b ? "true" : "false")
        case .int(let i): Self.writeInt(i, to: &out)
        case .double(let d): out.appendUTF8(Self.format(d))
        case .string(let s): Self.writeString(s, to: &out, htmlSafe: htmlSafe)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            // Read in place: iterating copies would retain and release every item.
            items.withUnsafeBufferPointer { items in
                for i in items.indices {
                    if i > 0 { out.append(UInt8(ascii: ",")) }
                    Self.newline(&out, indent, level + 1)
                    items[i].write(to: &out, indent: indent, level: level + 1, htmlSafe: htmlSafe)
                }
            }
            if !items.isEmpty { Self.newline(&out, indent, level) }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            members.withUnsafeBufferPointer { members in
                for i in members.indices {
                    if i > 0 { out.append(UInt8(ascii: ",")) }
                    Self.newline(&out, indent, level + 1)
                    Self.writeString(members[i].0, to: &out, htmlSafe: htmlSafe)
                    out.append(UInt8(ascii: ":"))
                    if indent != nil { out.append(UInt8(ascii: " ")) }
                    members[i].1.write(to: &out, indent: indent, level: level + 1, htmlSafe: htmlSafe)
                }
            }
            if !members.isEmpty { Self.newline(&out, indent, level) }
            out.append(UInt8(ascii: "}"))
        }
    }

    private static func newline(_ out: inout ByteBuffer, _ indent: Int?, _ level: Int) {
        guard let indent else { return }
        out.append(UInt8(ascii: "\n"))
        for _ in 0..<(indent * level) { out.append(UInt8(ascii: " ")) }
    }

    /// Numbers as JSON allows them: no NaN or infinity (written as null), and
    /// whole floats without a trailing `.0`, as Go writes them.
    static func format(_ d: Double) -> String {
        guard d.isFinite else { return "null" }
        if d.rounded() == d, abs(d) < 1e15 { return String(Int(d)) }
        return "\(d)"
    }

    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    /// Whether `b` may need an escape: control bytes, `"` and `\`, and where HTML-safe also
    /// `<`, `>`, `&` and 0xE2 (which may start U+2028 or U+2029). Bit masks, one per quarter
    /// of the byte values: a table in an array cost a lazy global's check and a retain and
    /// release of the array on every string written.
    @inline(__always)
    static func mayEscape(_ b: UInt8, htmlSafe: Bool) -> Bool {
        let mask: UInt64
        switch b >> 6 {
        case 0: mask = htmlSafe ? 0x5000_0044_FFFF_FFFF : 0x0000_0004_FFFF_FFFF  // 0x00–0x1F, 0x22; 0x26, 0x3C, 0x3E
        case 1: mask = 1 << (0x5c - 64)
        case 2: mask = 0
        default: mask = htmlSafe ? 1 << (0xE2 - 192) : 0
        }
        return mask & (1 << UInt64(b & 63)) != 0
    }

    static func writeString(_ s: String, to out: inout ByteBuffer, htmlSafe: Bool = true) {
        // A large string's bytes are read in place; a small one keeps them inline, where
        // only a mutable copy's withUTF8 reaches them.
        if s.utf8.withContiguousStorageIfAvailable({ writeString(bytes: $0, to: &out, htmlSafe: htmlSafe) }) == nil {
            var s = s
            s.withUTF8 { writeString(bytes: $0, to: &out, htmlSafe: htmlSafe) }
        }
    }

    @inline(__always)
    private static func writeString(bytes: UnsafeBufferPointer<UInt8>, to out: inout ByteBuffer, htmlSafe: Bool) {
        out.append(UInt8(ascii: "\""))
        // Most strings need no escape at all: copy them in one go.
        let plain = !bytes.contains { mayEscape($0, htmlSafe: htmlSafe) }
        if plain {
            out.append(bytes)
            out.append(UInt8(ascii: "\""))
            return
        }
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            switch b {
            case 0x22: out.append("\\\"")
            case 0x5c: out.append("\\\\")
            case 0x0a: out.append("\\n")
            case 0x0d: out.append("\\r")
            case 0x09: out.append("\\t")
            case 0..<0x20: appendEscape(UInt32(b), to: &out)
            case 0x3c where htmlSafe, 0x3e where htmlSafe, 0x26 where htmlSafe: appendEscape(UInt32(b), to: &out)
            case 0xE2 where htmlSafe && i + 2 < bytes.count && bytes[i + 1] == 0x80 && (bytes[i + 2] == 0xA8 || bytes[i + 2] == 0xA9):
                // U+2028 and U+2029 (E2 80 A8/A9) break JavaScript; Go escapes them.
                appendEscape(bytes[i + 2] == 0xA8 ? 0x2028 : 0x2029, to: &out)
                i += 3
                continue
            default: out.append(b)
            }
            i += 1
        }
        out.append(UInt8(ascii: "\""))
    }

    /// Decimal digits straight into the output, no string made on the way.
    static func writeInt(_ i: Int, to out: inout ByteBuffer) {
        if i >= 0, i < 10 { return out.append(UInt8(48 + i)) }
        if i < 0 { out.append(45) }
        out.appendDecimal(i.magnitude)
    }

    private static func appendEscape(_ v: UInt32, to out: inout ByteBuffer) {
        out.append("\\u")
        out.append(hex[Int(v >> 12 & 0xf)])
        out.append(hex[Int(v >> 8 & 0xf)])
        out.append(hex[Int(v >> 4 & 0xf)])
        out.append(hex[Int(v & 0xf)])
    }
}

extension JSONValue: CustomStringConvertible {
    public var description: String { compact }
}
