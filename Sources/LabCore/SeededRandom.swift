/// The lab's one pseudo-random generator: SplitMix64, small, fast and the same on
/// every platform, so a seed means the same draws everywhere. Every random
/// decision the lab makes goes through this type.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    public private(set) var state: UInt64

    public init(seed: UInt64) {
        state = seed
    }

    /// A generator derived from a seed and some text (a model and a prompt, say):
    /// the same pair always gives the same stream. Several parts are read as their
    /// concatenation, without making it.
    public init(seed: UInt64, key parts: String...) {
        var hash = StableHash.fnvOffset
        for part in parts { hash = StableHash.fnv1a(part, continuing: hash) }
        state = seed ^ hash
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A double in [0, 1) with 53 random bits.
    public mutating func unit() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// A standard normal draw (Box–Muller), for lognormal delays and embeddings.
    public mutating func normal() -> Double {
        let u1 = max(unit(), 0x1.0p-53)
        let u2 = unit()
        return (-2 * _log(u1)).squareRoot() * _cos(2 * Double.pi * u2)
    }
}

/// Hashes that never change between runs or machines (Swift's `Hasher` is seeded per process).
public enum StableHash {
    public static let fnvOffset: UInt64 = 0xcbf2_9ce4_8422_2325

    /// FNV-1a of `text`; `continuing` the hash of what came before it.
    public static func fnv1a(_ text: String, continuing start: UInt64 = fnvOffset) -> UInt64 {
        var text = text
        return text.withUTF8 { bytes in
            var hash = start
            for byte in bytes {
                hash ^= UInt64(byte)
                hash &*= 0x100_0000_01b3
            }
            return hash
        }
    }

    /// 64 lowercase hex digits derived from `text`, shaped like a sha256 digest.
    public static func hexDigest(_ text: String) -> String {
        var random = SeededRandom(seed: 0x5eed, key: text)
        var out = ""
        for _ in 0..<4 {
            let word = String(random.next(), radix: 16)
            out += String(repeating: "0", count: 16 - word.count) + word
        }
        return out
    }
}

#if canImport(Glibc)
import Glibc
private func _log(_ x: Double) -> Double { Glibc.log(x) }
private func _cos(_ x: Double) -> Double { Glibc.cos(x) }
#else
import Darwin
private func _log(_ x: Double) -> Double { Darwin.log(x) }
private func _cos(_ x: Double) -> Double { Darwin.cos(x) }
#endif
