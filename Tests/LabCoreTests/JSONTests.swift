import Testing
@testable import LabCore

@Suite struct JSONTests {
    @Test func roundTripKeepsKeyOrder() throws {
        let text = #"{"z":1,"a":[true,false,null,-2.5,"x\"y"],"m":{"k":"v"}}"#
        let value = try JSONParser.parse(text)
        #expect(value.compact == text)
        #expect(value["a"]?.arrayValue?.count == 5)
        #expect(value["z"]?.intValue == 1)
    }

    @Test func escapesLikeGo() {
        #expect(JSONValue.string("<a&b>\n\u{2028}é").compact == #""\u003ca\u0026b\u003e\n\u2028é""#)
    }

    /// Strings of every length up to 40 from pieces that need escaping and pieces that do not
    /// (small and large strings, one to four bytes a character), against Go's rules written
    /// out one character at a time (and JavaScript's, where HTML characters and U+2028/2029
    /// are left alone).
    @Test func stringsAreEscapedAsGoEscapesThem() {
        let pieces = ["a", "Z", "0", " ", "\"", "\\", "\n", "\r", "\t", "\u{1}", "\u{1f}", "<", ">", "&", "é",
                      "\u{2028}", "\u{2029}", "\u{2027}", "€", "🙂", "\u{7f}"]
        func go(_ s: String, htmlSafe: Bool) -> String {
            var out = "\""
            for c in s.unicodeScalars {
                switch c {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                case "\r": out += "\\r"
                case "\t": out += "\\t"
                case "<" where htmlSafe, ">" where htmlSafe, "&" where htmlSafe, "\u{2028}" where htmlSafe, "\u{2029}" where htmlSafe:
                    out += String(format4: c.value)
                default: out += c.value < 0x20 ? String(format4: c.value) : String(c)
                }
            }
            return out + "\""
        }
        var random = SeededRandom(seed: 5, key: "strings")
        for _ in 0..<3_000 {
            let s = (0..<Int(random.next() % 41)).map { _ in pieces[Int(random.next() % UInt64(pieces.count))] }.joined()
            #expect(JSONValue.string(s).compact == go(s, htmlSafe: true), "\(Array(s.utf8))")
            #expect(JSONValue.string(s).javaScriptCompact == go(s, htmlSafe: false), "\(Array(s.utf8))")
        }
    }

    /// The bit masks that pick the bytes a string is scanned for, against their definition.
    @Test func everyByteThatMayNeedAnEscapeIsCaught() {
        for b in 0...255 {
            let plain = b < 0x20 || b == 0x22 || b == 0x5c
            let html = plain || b == 0x3c || b == 0x3e || b == 0x26 || b == 0xE2
            #expect(JSONValue.mayEscape(UInt8(b), htmlSafe: false) == plain, "byte \(b)")
            #expect(JSONValue.mayEscape(UInt8(b), htmlSafe: true) == html, "byte \(b)")
        }
        // Every byte on its own, written as the tree writes it, reads back as itself.
        for b in 0..<0x80 {
            let text = String(UnicodeScalar(UInt8(b)))
            #expect((try? JSONParser.parse(JSONValue.string(text).compact)) == .string(text), "byte \(b)")
        }
    }

    @Test func numbers() throws {
        #expect(try JSONParser.parse("12345678901") == .int(12_345_678_901))
        #expect(try JSONParser.parse("1e3") == .double(1000))
        #expect(JSONValue.double(2).compact == "2")
        #expect(JSONValue.double(0.25).compact == "0.25")
        #expect(JSONValue.double(.nan).compact == "null")
        #expect(JSONValue.unsigned(42).compact == "42")
        #expect(JSONValue.unsigned(UInt64(Int.max)).compact == "9223372036854775807")
        #expect(JSONValue.unsigned(.max).compact == #""18446744073709551615""#)
    }

    @Test func unicodeEscapes() throws {
        #expect(try JSONParser.parse(#""\u00e9\ud83d\ude00""#) == .string("é😀"))
    }

    @Test(arguments: [
        ("", "unexpected end of JSON input"),
        ("x", "invalid character 'x' looking for beginning of value"),
        ("{bad", "invalid character 'b' looking for beginning of object key string"),
        (#"{"a" 1}"#, "invalid character '1' after object key"),
        ("[1 2]", "invalid character '2' after array element"),
        ("{}x", "invalid character 'x' after top-level value"),
        ("tru", "unexpected end of JSON input"),
        ("[trux]", "invalid character 'x' in literal true (expecting 'e')"),
        (#"{"a":fals}"#, "invalid character '}' in literal false (expecting 'e')"),
        ("nul", "unexpected end of JSON input"),
        ("nil", "invalid character 'i' in literal null (expecting 'u')"),
        (#"{"a":1"#, "unexpected end of JSON input"),
        ("01", "invalid character '1' after top-level value"),
    ])
    func errorsReadLikeGo(input: String, message: String) {
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(input) }
        do { _ = try JSONParser.parse(input) } catch { #expect(error.message == message) }
    }

    @Test func deepNestingIsAnErrorNotACrash() {
        let deep = String(repeating: "[", count: 100_000)
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(deep) }
    }

    @Test func prettyPrints() throws {
        #expect(try JSONParser.parse(#"{"a":[1]}"#).pretty == "{\n  \"a\": [\n    1\n  ]\n}")
    }
}

@Suite struct FloatVectorJSONTests {
    /// The tree's spelling of a float32: its shortest digits, read as a Double, written back.
    static func throughTheTree(_ v: [Float]) -> [UInt8] {
        JSONValue.array(v.map { .double(Double("\($0)") ?? 0) }).compactBytes
    }

    @Test func vectorsAreWrittenAsTheTreeWritesThem() {
        var random = SeededRandom(seed: 3, key: "floats")
        var values: [Float] = [0, -0.0, 1, -1, 0.1, 1e-7, -3.4028235e38, 1.17549435e-38, 1.4e-45, 123456.79, 1e15, 3e20, .nan, .infinity, -.infinity]
        for _ in 0..<2000 { values.append(Float(random.normal() / 3) * Float(1 << (random.next() % 24))) }
        for _ in 0..<500 { values.append(Float(bitPattern: UInt32(truncatingIfNeeded: random.next()))) }
        var bytes = JSONBytes()
        bytes.floats(values)
        #expect(String(decoding: bytes.bytes, as: UTF8.self) == String(decoding: Self.throughTheTree(values), as: UTF8.self))
        var empty = JSONBytes()
        empty.floats([])
        #expect(empty.bytes == Array("[]".utf8))
    }
}

@Suite struct ByteBufferTests {
    /// Every kind of append lands in order, past the room it started with, and an emptied
    /// buffer is written afresh.
    /// Decimal digits two at a time: every length, the edges of each, and the largest.
    @Test func decimalsAreWrittenAsSwiftWritesThem() {
        var values: [UInt] = [0, 1, 9, 10, 11, 99, 100, 101, 12345, 9_876_543_210, UInt.max, UInt.max - 1]
        var p: UInt = 1
        for _ in 0..<19 { p *= 10; values += [p - 1, p, p + 1, p + p / 2] }
        var out = ByteBuffer(capacity: 1)
        for v in values { out.appendDecimal(v); out.append(",") }
        #expect(String(decoding: out.bytes, as: UTF8.self) == values.map { "\($0)," }.joined())
        #expect(JSONValue.array([.int(-7), .int(Int.min), .int(Int.max), .int(-10)]).compact == "[-7,\(Int.min),\(Int.max),-10]")
    }

    @Test func appendsInOrderAndGrows() {
        var b = ByteBuffer(capacity: 1)
        var expected: [UInt8] = []
        let small = "é!", large = String(repeating: "東京 ", count: 50)
        for round in 0..<3 {
            b.removeAll()
            expected = []
            let emptied = b.isEmpty
            #expect(emptied)
            for i in 0..<40 {
                b.append(UInt8(i)); expected.append(UInt8(i))
                b.append("k:"); expected += Array("k:".utf8)
                b.appendUTF8(i % 2 == 0 ? small : large); expected += Array((i % 2 == 0 ? small : large).utf8)
                b.append([9, 8, 7]); expected += [9, 8, 7]
                Array("\(round)".utf8).withUnsafeBufferPointer { b.append($0) }; expected += Array("\(round)".utf8)
            }
            let written = b.bytes, count = b.count, read = b.withUnsafeBytes { Array($0) }
            #expect(written == expected && count == expected.count && read == expected)
        }
    }
}

@Suite struct JSONBytesTests {
    /// The pieces a reply is written from give what the tree gives for the same document,
    /// escapes included, however far the writer grows past the room it was given.
    @Test func piecesWriteWhatTheTreeWrites() {
        let strings = ["", "a", "Paris.", "quote \" and \\ backslash", "lines\nand\ttabs\r", "\u{1}\u{1f}",
                       "<b>&</b>", "line\u{2028}para\u{2029}", "é 東京 🙂", String(repeating: "long text ", count: 80),
                       String(repeating: "\"", count: 300)]
        let ints = [0, 7, 10, -1, -10, 1_795_000_000, Int.max, Int.min]
        var w = JSONBytes(capacity: 1, prefix: "{")
        var tree: [(String, JSONValue)] = []
        for (i, s) in strings.enumerated() {
            w.raw(Array((i == 0 ? "\"s\(i)\":" : ",\"s\(i)\":").utf8))
            w.string(s)
            tree.append(("s\(i)", .string(s)))
        }
        for (i, n) in ints.enumerated() {
            w.raw(Array(",\"n\(i)\":".utf8))
            w.int(n)
            tree.append(("n\(i)", .int(n)))
        }
        w.raw(",\"v\":")
        w.value(["k": .array([.null, .bool(true), .double(0.5)])])
        tree.append(("v", ["k": .array([.null, .bool(true), .double(0.5)])]))
        w.raw(Array("}".utf8))
        #expect(String(decoding: w.bytes, as: UTF8.self) == JSONValue.object(tree).compact)
    }
}

@Suite struct SeededRandomTests {
    @Test func sameSeedSameStream() {
        var a = SeededRandom(seed: 42)
        var b = SeededRandom(seed: 42)
        var c = SeededRandom(seed: 43)
        let sa = (0..<5).map { _ in a.next() }
        #expect(sa == (0..<5).map { _ in b.next() })
        #expect(sa != (0..<5).map { _ in c.next() })
    }

    @Test func knownFirstValue() {
        // SplitMix64's reference output for seed 0, so the stream never drifts between versions.
        var r = SeededRandom(seed: 0)
        #expect(r.next() == 0xE220_A839_7B1D_CDAF)
    }

    @Test func keyPartsReadAsTheirConcatenation() {
        var whole = SeededRandom(seed: 9, key: "generation\u{1}llama3:latest\u{1}user: hi 日本")
        var parts = SeededRandom(seed: 9, key: "generation\u{1}", "llama3:latest", "\u{1}", "user: hi 日本")
        #expect(whole.next() == parts.next())
        // FNV-1a's reference value for "a", so keys never drift between versions.
        #expect(StableHash.fnv1a("a") == 0xaf63_dc4c_8601_ec8c)
        #expect(StableHash.fnv1a("b", continuing: StableHash.fnv1a("a")) == StableHash.fnv1a("ab"))
    }

    @Test func unitIsInRange() {
        var r = SeededRandom(seed: 7)
        for _ in 0..<1000 { let u = r.unit(); #expect(u >= 0 && u < 1) }
    }

    @Test func hexDigestShape() {
        let d = StableHash.hexDigest("llama3:latest")
        #expect(d.count == 64 && d == StableHash.hexDigest("llama3:latest"))
        #expect(d.allSatisfy { $0.isHexDigit && !$0.isUppercase })
    }
}

@Suite struct JavaScriptJSONTests {
    @Test func leavesHTMLCharactersAlone() {
        #expect(JSONValue.object([("h", .string("<b>&</b>\n"))]).javaScriptCompact == #"{"h":"<b>&</b>\n"}"#)
    }
}

@Suite struct JSONFuzzRegressionTests {
    /// Found by fuzz/FuzzJSON.swift: objects with a repeated key did not equal themselves
    /// after a round trip.
    @Test func repeatedKeysMeanTheLastValue() throws {
        let text = #"{"":[2,2,true],"":[1,2,true],"b":{}}"#
        let value = try JSONParser.parse(text)
        #expect(try JSONParser.parse(value.compactBytes) == value)
        #expect(try JSONParser.parse(#"{"a":1,"a":2}"#) == (try JSONParser.parse(#"{"a":2}"#)))
        #expect(try JSONParser.parse(#"{"a":1,"b":2}"#) == (try JSONParser.parse(#"{"b":2,"a":1}"#)))
        #expect(try JSONParser.parse(#"{"a":1}"#) != (try JSONParser.parse(#"{"a":2}"#)))
    }

    /// Integers are summed as their digits are read; at Int's edges and past them the value
    /// is what reading the text gives (`==` takes 2 and 2.0 as equal: the case is checked).
    @Test(arguments: [
        ("0", "int 0"), ("-0", "int 0"), ("7", "int 7"), ("-7", "int -7"), ("1234567890123", "int 1234567890123"),
        ("9223372036854775807", "int 9223372036854775807"), ("-9223372036854775807", "int -9223372036854775807"),
        ("-9223372036854775808", "int -9223372036854775808"),
        ("9223372036854775808", "double 9.223372036854776e+18"), ("-9223372036854775809", "double -9.223372036854776e+18"),
        ("99999999999999999999", "double 1e+20"), ("12.5", "double 12.5"), ("-3e2", "double -300.0"),
    ])
    func integersAreReadExactly(text: String, read: String) throws {
        switch try JSONParser.parse(text) {
        case .int(let i): #expect("int \(i)" == read)
        case .double(let d): #expect("double \(d)" == read)
        default: Issue.record("not a number")
        }
    }

    /// The parser hands out strings made once for the wire formats' common words: every
    /// one of them is found, reads as itself, and anything else is made from its bytes.
    @Test func knownStringsReadAsThemselves() throws {
        let words = KnownStrings.jsonWords + ["models", "modelx", "Model", "mode ", "x", "", "chat.completion.chunk2", String(repeating: "a", count: 30)]
        for word in words {
            let body = try JSONParser.parse(JSONValue.object([(word, .string(word))]).compact)
            #expect(body.objectValue?.first?.0 == word)
            #expect(body[word]?.stringValue == word)
            let found = Array(word.utf8).withUnsafeBufferPointer { KnownStrings.json.find($0) }
            #expect(found == (KnownStrings.jsonWords.contains(word) ? word : nil), "\(word)")
        }
    }

    /// Found by fuzz/FuzzJSON.swift: a number too large for a double became infinity,
    /// which JSON cannot write back.
    @Test func numbersOutOfRangeAreRefused() {
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse("88888888e188888881") }
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse("[-1e400]") }
        #expect((try? JSONParser.parse("1e308")) == .double(1e308))
    }
}

@Suite struct BoundedLogTests {
    @Test func keepsTheLatestAndPositionsStayStable() {
        var log = BoundedLog<Int>(limit: 10)
        var positions: [Int] = []
        for i in 0..<25 { positions.append(log.append(i)) }
        #expect(positions == Array(0..<25))
        #expect(log.items.count <= 10 && log.items.last == 24)
        #expect(log.dropped + log.items.count == 25)
        log.update(24) { $0 = -1 }
        log.update(0) { $0 = -2 }  // long gone: nothing happens
        #expect(log.items.last == -1 && !log.items.contains(-2))
    }
}

private extension String {
    /// `\uXXXX`, lowercase hex, as Go writes an escaped character.
    init(format4 v: UInt32) {
        let hex = String(v, radix: 16)
        self = "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
    }
}
