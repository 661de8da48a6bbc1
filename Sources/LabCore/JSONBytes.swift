/// JSON written straight into bytes, for the replies sent on every request: no tree is
/// built and the constant parts (keys, punctuation) are byte arrays made once. It
/// writes exactly what `JSONValue.compactBytes` writes for the same document.
public struct JSONBytes {
    public private(set) var bytes: [UInt8]

    public init(capacity: Int = 384, prefix: [UInt8] = []) {
        bytes = []
        bytes.reserveCapacity(capacity)
        bytes.append(contentsOf: prefix)
    }

    /// Constant text: keys with their quotes and colon, punctuation.
    public mutating func raw(_ fragment: [UInt8]) { bytes.append(contentsOf: fragment) }

    /// A string, escaped as `compactBytes` escapes it (Go's HTML-safe escaping).
    public mutating func string(_ s: String) { JSONValue.writeString(s, to: &bytes) }

    public mutating func int(_ i: Int) { JSONValue.writeInt(i, to: &bytes) }

    /// Bytes the caller writes itself (text it knows needs no escaping, such as a time).
    public mutating func append(_ write: (inout [UInt8]) -> Void) { write(&bytes) }

    /// Any value, as a tree: for the rarer parts of a reply.
    public mutating func value(_ v: JSONValue) { v.write(to: &bytes, indent: nil, level: 0) }
}
