import Foundation
import LabCore

/// Deterministic embedding vectors: the same (model, text, seed) gives the same
/// vector, different texts different ones.
public struct Embedder {
    let seed: UInt64

    public init(seed: UInt64) { self.seed = seed }

    /// Raw components in about [-1, 1], as float32 values (Ollama's precision).
    public func vector(model: ModelName, text: String, dimensions: Int) -> [Float] {
        var random = SeededRandom(seed: seed, key: "embed\u{1}", model.key, "\u{1}", text)
        return (0..<max(dimensions, 0)).map { _ in Float(max(-1, min(1, random.normal() / 3))) }
    }

    static func normalize(_ v: [Float]) -> [Float] {
        let norm = v.reduce(0) { $0 + Double($1) * Double($1) }.squareRoot()
        guard norm > 0 else { return v }
        return v.map { Float(Double($0) / norm) }
    }
}

extension Array where Element == Float {
    /// Little-endian float32 bytes in base64, OpenAI's `encoding_format: base64`.
    var base64: String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count * 4)
        for f in self {
            let bits = f.bitPattern
            bytes.append(contentsOf: [UInt8(bits & 0xff), UInt8(bits >> 8 & 0xff), UInt8(bits >> 16 & 0xff), UInt8(bits >> 24)])
        }
        return Data(bytes).base64EncodedString()
    }
}
