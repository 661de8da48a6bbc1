import LabCore

/// encoding/json finds the field for an object's key by its exact name, else regardless of
/// case (`"Model"` fills `model`, `"MESSAGES"` fills `messages`): what clients that write
/// PascalCase names (.NET's default) rely on against a real Ollama. Pure.
extension GoDecoding {
    /// The body as the typed request reads it, and encoding/json's error for it (or nil).
    /// Nearly every body fits with its keys as written, which one pass says; otherwise keys
    /// in another case are renamed first, then the mistake, if any, is found.
    static func read(_ body: JSONValue, _ type: GoStruct) -> (body: JSONValue, error: DecodeError?) {
        if case .object(let members) = body, membersFit(members, type) { return (body, nil) }
        let canonical = canonicalKeys(body, type)
        return (canonical, firstError(canonical, type))
    }

    /// The body with each key that names a field in another case renamed to the field's
    /// name, inside checked structs too. Keys of maps (`options`, `format`) stay as they
    /// are. Only a body that did not fit as written comes here, so copying it costs little.
    static func canonicalKeys(_ body: JSONValue, _ type: GoStruct) -> JSONValue {
        guard case .object(let members) = body else { return body }
        return .object(renamed(members, type))
    }

    private static func renamed(_ members: [(String, JSONValue)], _ type: GoStruct) -> [(String, JSONValue)] {
        members.map { key, value in
            if let f = type.field(named: key) { return (key, renamed(value, type.kinds[f])) }
            if let f = type.field(foldedFrom: key) { return (type.names[f], renamed(value, type.kinds[f])) }
            return (key, value)
        }
    }

    private static func renamed(_ value: JSONValue, _ kind: Kind) -> JSONValue {
        switch (kind, value) {
        case (.structure(let type), .object(let members)): return .object(renamed(members, type.unmarshalsInto ?? type))
        case (.slice(_, let element), .array(let items)): return .array(items.map { renamed($0, element) })
        default: return value
        }
    }

    /// A key as encoding/json folds it to compare with field names: ASCII letters in upper
    /// case, and the two runes outside ASCII whose fold set holds an ASCII letter (`ſ` → `S`,
    /// the Kelvin sign → `K`); nil when another rune outside ASCII leaves it unable to match
    /// a field name, which is ASCII.
    static func folded(_ key: String) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(key.utf8.count)
        for scalar in key.unicodeScalars {
            switch scalar.value {
            case 0x61...0x7A: out.append(UInt8(scalar.value) - 0x20)
            case 0..<0x80: out.append(UInt8(scalar.value))
            case 0x17F: out.append(UInt8(ascii: "S"))
            case 0x212A: out.append(UInt8(ascii: "K"))
            default: return nil
            }
        }
        return out
    }
}

extension GoStruct {
    /// The field a key names in another case, or nil. A key of lower-case ASCII alone has
    /// no other match than the exact one, so most unknown keys stop at one scan.
    func field(foldedFrom key: String) -> Int? {
        guard key.utf8.contains(where: { (0x41...0x5A).contains($0) || $0 >= 0x80 }), let folded = GoDecoding.folded(key) else { return nil }
        for i in names.indices where lengths[i] == folded.count && GoDecoding.folded(names[i]) == folded { return i }
        return nil
    }
}
