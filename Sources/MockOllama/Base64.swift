/// Go's `base64.StdEncoding` as its decoder reads it: padded groups of four, line breaks
/// skipped anywhere, nothing but line breaks after the padding. Ollama decodes images with
/// it (a native `images` entry through encoding/json, a `/v1` data URI directly). Pure.
enum Base64 {
    /// Where Go's decoder stops, as its `CorruptInputError` says — `illegal base64 data at
    /// input byte N` — or nil when the whole input decodes.
    static func firstCorruptByte(_ src: [UInt8]) -> Int? {
        var si = 0
        let n = src.count
        func skipLineBreaks() { while si < n && isLineBreak(src[si]) { si += 1 } }
        while si < n {
            var j = 0  // characters of this group read so far
            while j < 4 {
                if si == n { return j == 0 ? nil : si - j }  // an unfinished group
                let c = src[si]
                si += 1
                if isAlphabet(c) { j += 1; continue }
                if isLineBreak(c) { continue }
                if c != UInt8(ascii: "=") || j < 2 { return si - 1 }
                if j == 2 {
                    // "==" is due: the second one must follow, line breaks aside.
                    skipLineBreaks()
                    if si == n { return n }
                    if src[si] != UInt8(ascii: "=") { return si - 1 }
                    si += 1
                }
                skipLineBreaks()
                return si < n ? si : nil  // anything after the padding is garbage
            }
        }
        return nil
    }

    private static func isLineBreak(_ b: UInt8) -> Bool { b == 0x0A || b == 0x0D }

    private static func isAlphabet(_ b: UInt8) -> Bool {
        (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) || b == 0x2B || b == 0x2F
    }
}
