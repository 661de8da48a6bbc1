/// JSON written straight into bytes, for the replies sent on every request: no tree is
/// built and the constant parts (keys, punctuation) are static strings, copied from the
/// binary without a reference count to touch. It
/// writes exactly what `JSONValue.compactBytes` writes for the same document.
public struct JSONBytes: ~Copyable {
    private var out: ByteBuffer

    public init(capacity: Int = 384, prefix: StaticString = "") {
        out = ByteBuffer(capacity: capacity)
        out.append(prefix)
    }

    /// What has been written.
    public var bytes: [UInt8] { out.bytes }

    public var count: Int { out.count }

    /// What has been written from `start` on.
    public func bytes(from start: Int) -> [UInt8] { out.bytes(from: start) }

    /// Constant text: keys with their quotes and colon, punctuation.
    public mutating func raw(_ fragment: StaticString) { out.append(fragment) }

    /// Bytes the caller knows need no escaping (a time, a vector already written).
    public mutating func raw(_ bytes: UnsafeBufferPointer<UInt8>) { out.append(bytes) }

    public mutating func raw(_ bytes: [UInt8]) { out.append(bytes) }

    private mutating func byte(_ b: UInt8) { out.append(b) }

    /// A string, escaped as `compactBytes` escapes it (Go's HTML-safe escaping).
    public mutating func string(_ s: String) { JSONValue.writeString(s, to: &out) }

    public mutating func int(_ i: Int) { JSONValue.writeInt(i, to: &out) }

    /// Any value, as a tree: for the rarer parts of a reply.
    public mutating func value(_ v: JSONValue) { v.write(to: &out, indent: nil, level: 0) }

    /// float32 values in their shortest spelling, as Go writes a `[]float32`: an embedding.
    /// Written as the tree writes the same number (whole values without a fraction, no
    /// NaN or infinity), but without the tree: through a `Double` and back, a 4,096-wide
    /// vector cost 16 million instructions.
    public mutating func floats(_ values: [Float]) {
        byte(UInt8(ascii: "["))
        for (i, f) in values.enumerated() {
            if i > 0 { byte(UInt8(ascii: ",")) }
            // Below 2²⁴ a whole float is its own shortest spelling and the two formats
            // agree; above, a Float and a Double spell the same digits differently, so
            // those (never an embedding's, which lie in [-1, 1]) go the tree's way.
            guard abs(f) < 16_777_216 else {
                value(.double(Double("\(f)") ?? 0))
                continue
            }
            if f.rounded() == f {
                int(Int(f))
            } else {
                var text = f.description
                text.withUTF8 { raw($0) }
            }
        }
        byte(UInt8(ascii: "]"))
    }
}
