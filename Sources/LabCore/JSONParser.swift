/// A JSON syntax error, worded like Go's `encoding/json` so that the mock's 400
/// bodies read like the real server's.
public struct JSONSyntaxError: Error, Equatable, Sendable, CustomStringConvertible {
    public let message: String
    /// Byte offset of the offending input.
    public let offset: Int
    public var description: String { message }
}

/// Parses JSON text into a `JSONValue`. Pure, iterative over arrays and objects
/// with a nesting limit, so hostile input cannot exhaust the stack.
public struct JSONParser {
    public static let maxDepth = 512

    public static func parse(_ text: String) throws(JSONSyntaxError) -> JSONValue {
        try parse(Array(text.utf8))
    }

    /// - Parameter maxDepth: how deep arrays and objects may nest (each level is a few
    ///   hundred bytes of stack).
    public static func parse(_ bytes: [UInt8], maxDepth: Int = JSONParser.maxDepth) throws(JSONSyntaxError) -> JSONValue {
        // Read through a buffer pointer: every byte is looked at, and an array's element
        // access costs a bounds check and a reference count each time.
        try bytes.withUnsafeBufferPointer { (bytes) throws(JSONSyntaxError) -> JSONValue in
            var parser = JSONParser(bytes: bytes, depthLimit: maxDepth)
            parser.skipSpace()
            if parser.pos >= bytes.count { throw JSONSyntaxError(message: "unexpected end of JSON input", offset: parser.pos) }
            let value = try parser.parseValue(depth: 0)
            parser.skipSpace()
            if parser.pos < bytes.count {
                throw parser.invalid("after top-level value")
            }
            return value
        }
    }

    private let bytes: UnsafeBufferPointer<UInt8>
    private var pos = 0
    private let depthLimit: Int
    private let known = KnownStrings.json

    private init(bytes: UnsafeBufferPointer<UInt8>, depthLimit: Int) {
        self.bytes = bytes
        self.depthLimit = depthLimit
    }

    private func invalid(_ context: String) -> JSONSyntaxError {
        guard pos < bytes.count else {
            return JSONSyntaxError(message: "unexpected end of JSON input", offset: pos)
        }
        return JSONSyntaxError(message: "invalid character \(Self.quoteChar(bytes[pos])) \(context)", offset: pos)
    }

    private static func quoteChar(_ b: UInt8) -> String {
        switch b {
        case UInt8(ascii: "'"): return "'\\''"
        case UInt8(ascii: "\""): return "'\"'"
        case 0x20..<0x7f: return "'\(Character(Unicode.Scalar(b)))'"
        default: return "'\\x\(String(b, radix: 16, uppercase: false).leftPadded(2))'"
        }
    }

    private mutating func skipSpace() {
        while pos < bytes.count {
            switch bytes[pos] {
            case 0x20, 0x09, 0x0a, 0x0d: pos += 1
            default: return
            }
        }
    }

    private mutating func parseValue(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        guard depth < depthLimit else {
            throw JSONSyntaxError(message: "exceeded max depth", offset: pos)
        }
        guard pos < bytes.count else { throw invalid("looking for beginning of value") }
        switch bytes[pos] {
        case UInt8(ascii: "{"): return try parseObject(depth: depth)
        case UInt8(ascii: "["): return try parseArray(depth: depth)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try literal(Self.trueBytes); return .bool(true)
        case UInt8(ascii: "f"): try literal(Self.falseBytes); return .bool(false)
        case UInt8(ascii: "n"): try literal(Self.nullBytes); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw invalid("looking for beginning of value")
        }
    }

    private static let trueBytes = Array("true".utf8), falseBytes = Array("false".utf8), nullBytes = Array("null".utf8)

    private mutating func literal(_ word: [UInt8]) throws(JSONSyntaxError) {
        let start = pos
        for (i, expected) in word.enumerated() {
            guard start + i < bytes.count else { pos = bytes.count; throw invalid("") }
            if bytes[start + i] != expected {
                pos = start + i
                throw invalid("in literal \(String(decoding: word, as: UTF8.self)) (expecting '\(Character(Unicode.Scalar(expected)))')")
            }
        }
        pos = start + word.count
    }

    private mutating func parseObject(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        pos += 1
        var members: [(String, JSONValue)] = []
        skipSpace()
        if pos < bytes.count, bytes[pos] == UInt8(ascii: "}") { pos += 1; return .object(members) }
        // Growing from empty reallocates at one and two members; most objects fit in four.
        members.reserveCapacity(4)
        while true {
            skipSpace()
            guard pos < bytes.count, bytes[pos] == UInt8(ascii: "\"") else {
                throw invalid("looking for beginning of object key string")
            }
            let key = try parseString()
            skipSpace()
            guard pos < bytes.count, bytes[pos] == UInt8(ascii: ":") else { throw invalid("after object key") }
            pos += 1
            skipSpace()
            members.append((key, try parseValue(depth: depth + 1)))
            skipSpace()
            guard pos < bytes.count else { throw invalid("") }
            if bytes[pos] == UInt8(ascii: ",") { pos += 1; continue }
            if bytes[pos] == UInt8(ascii: "}") { pos += 1; return .object(members) }
            throw invalid("after object key:value pair")
        }
    }

    private mutating func parseArray(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        pos += 1
        var items: [JSONValue] = []
        skipSpace()
        if pos < bytes.count, bytes[pos] == UInt8(ascii: "]") { pos += 1; return .array(items) }
        items.reserveCapacity(2)
        while true {
            skipSpace()
            items.append(try parseValue(depth: depth + 1))
            skipSpace()
            guard pos < bytes.count else { throw invalid("") }
            if bytes[pos] == UInt8(ascii: ",") { pos += 1; continue }
            if bytes[pos] == UInt8(ascii: "]") { pos += 1; return .array(items) }
            throw invalid("after array element")
        }
    }

    private mutating func parseString() throws(JSONSyntaxError) -> String {
        pos += 1
        // Most strings have no escapes: made from their bytes in one go.
        let start = pos
        var end = pos
        while end < bytes.count, bytes[end] != UInt8(ascii: "\""), bytes[end] != UInt8(ascii: "\\"), bytes[end] >= 0x20 { end += 1 }
        if end < bytes.count, bytes[end] == UInt8(ascii: "\"") {
            pos = end + 1
            // The closing quote is at `end`: at least one byte past the string is readable.
            if let known = known.find(bytes.baseAddress! + start, count: end - start, readable: bytes.count - start) { return known }
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
        }
        var out: [UInt8] = Array(bytes[start..<end])
        pos = end
        while pos < bytes.count {
            let b = bytes[pos]
            switch b {
            case UInt8(ascii: "\""):
                pos += 1
                return String(decoding: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                pos += 1
                guard pos < bytes.count else { throw invalid("") }
                let e = bytes[pos]
                pos += 1
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0c)
                case UInt8(ascii: "n"): out.append(0x0a)
                case UInt8(ascii: "r"): out.append(0x0d)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if (0xD800..<0xDC00).contains(scalar), pos + 1 < bytes.count,
                        bytes[pos] == UInt8(ascii: "\\"), bytes[pos + 1] == UInt8(ascii: "u")
                    {
                        let save = pos
                        pos += 2
                        let low = try hex4()
                        if (0xDC00..<0xE000).contains(low) {
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        } else {
                            pos = save
                        }
                    }
                    let s = Unicode.Scalar(scalar) ?? "\u{FFFD}"
                    out.append(contentsOf: Array(String(Character(s)).utf8))
                default:
                    pos -= 1
                    throw invalid("in string escape code")
                }
            case 0..<0x20:
                throw invalid("in string literal")
            default:
                out.append(b)
                pos += 1
            }
        }
        throw invalid("")
    }

    private mutating func hex4() throws(JSONSyntaxError) -> UInt32 {
        var v: UInt32 = 0
        for _ in 0..<4 {
            guard pos < bytes.count else { throw invalid("") }
            let b = bytes[pos]
            let d: UInt32
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt32(b - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt32(b - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt32(b - UInt8(ascii: "A") + 10)
            default: throw invalid("in \\u hexadecimal character escape")
            }
            v = v * 16 + d
            pos += 1
        }
        return v
    }

    private mutating func parseNumber() throws(JSONSyntaxError) -> JSONValue {
        let start = pos
        var isInteger = true
        let negative = bytes[pos] == UInt8(ascii: "-")
        if negative { pos += 1 }
        guard pos < bytes.count else { throw invalid("") }
        // An integer's value is summed while its digits are read (as a negative number, so
        // that Int.min fits); one that overflows is read from its text below, as a float.
        var value = 0, overflow = false
        if bytes[pos] == UInt8(ascii: "0") {
            pos += 1
        } else if isDigit(bytes[pos]) {
            while pos < bytes.count, isDigit(bytes[pos]) {
                let (times10, o1) = value.multipliedReportingOverflow(by: 10)
                let (next, o2) = times10.subtractingReportingOverflow(Int(bytes[pos] &- UInt8(ascii: "0")))
                overflow = overflow || o1 || o2
                value = next
                pos += 1
            }
        } else {
            throw invalid("in numeric literal")
        }
        if pos < bytes.count, bytes[pos] == UInt8(ascii: ".") {
            isInteger = false
            pos += 1
            guard pos < bytes.count, isDigit(bytes[pos]) else { throw invalid("after decimal point in numeric literal") }
            while pos < bytes.count, isDigit(bytes[pos]) { pos += 1 }
        }
        if pos < bytes.count, bytes[pos] == UInt8(ascii: "e") || bytes[pos] == UInt8(ascii: "E") {
            isInteger = false
            pos += 1
            if pos < bytes.count, bytes[pos] == UInt8(ascii: "+") || bytes[pos] == UInt8(ascii: "-") { pos += 1 }
            guard pos < bytes.count, isDigit(bytes[pos]) else { throw invalid("in exponent of numeric literal") }
            while pos < bytes.count, isDigit(bytes[pos]) { pos += 1 }
        }
        if isInteger, !overflow {
            if negative { return .int(value) }
            if value != .min { return .int(-value) }
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<pos]), as: UTF8.self)
        if isInteger, let i = Int(text) { return .int(i) }
        // Go's decoder refuses numbers a float64 cannot hold rather than making them infinite.
        guard let d = Double(text), d.isFinite else {
            throw JSONSyntaxError(message: "json: cannot unmarshal number \(text) into Go value of type float64", offset: start)
        }
        return .double(d)
    }

    private func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }
}

extension String {
    func leftPadded(_ width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}
