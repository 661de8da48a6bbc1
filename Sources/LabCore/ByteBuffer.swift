/// Bytes written through a pointer, for what is written on every request (a reply's JSON,
/// a response's head). An array's append of a few bytes costs about 100 instructions in
/// checks around its copy, and a response is dozens of them; here an append is a bounds
/// check and a copy. Not copyable: one owner, freed with it.
public struct ByteBuffer: ~Copyable {
    // Usable from other modules' inlined code: an append is a few instructions around a
    // copy, and a call into this module for each would cost as much again.
    @usableFromInline var base: UnsafeMutablePointer<UInt8>
    @usableFromInline var written = 0
    public var count: Int { written }
    @usableFromInline var capacity: Int

    public init(capacity: Int = 256) {
        self.capacity = Swift.max(capacity, 16)
        base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    public var isEmpty: Bool { count == 0 }

    /// A copy of what has been written.
    public var bytes: [UInt8] { Array(UnsafeBufferPointer(start: base, count: count)) }

    /// A copy of what has been written from `start` on.
    public func bytes(from start: Int) -> [UInt8] { Array(UnsafeBufferPointer(start: base + start, count: count - start)) }

    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: base, count: count))
    }

    /// Empties it; the room stays for the next use.
    public mutating func removeAll() { written = 0 }

    @inlinable public mutating func append(_ byte: UInt8) {
        if written == capacity { grow(1) }
        base[written] = byte
        written += 1
    }

    @inlinable public mutating func append(_ fragment: StaticString) {
        append(fragment.utf8Start, fragment.utf8CodeUnitCount)
    }

    @inlinable public mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let start = bytes.baseAddress else { return }
        append(start, bytes.count)
    }

    public mutating func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { append($0) }
    }

    /// A string's UTF-8, read in place. (Named apart from `append(_: StaticString)`: a
    /// literal would pick this one, the slower.)
    public mutating func appendUTF8(_ text: String) {
        if text.utf8.withContiguousStorageIfAvailable({ append($0) }) == nil {
            // Small strings keep their bytes inline, where only a mutable copy reaches them.
            var text = text
            text.withUTF8 { append($0) }
        }
    }

    /// `n` in decimal digits, written in place from the last: counted first, so that
    /// neither a scratch buffer nor a second copy is needed. Two digits at a time, from a
    /// table of the hundred pairs: a request's answer writes a dozen numbers.
    public mutating func appendDecimal(_ n: UInt) {
        var digits = 1, bound: UInt = 10
        while digits < 20, n >= bound {
            digits += 1
            bound &*= 10
        }
        if digits > capacity - written { grow(digits) }
        var rest = n, at = base + written + digits
        let pairs = Self.digitPairs.utf8Start
        while rest >= 100 {
            let pair = Int(rest % 100) &* 2
            rest /= 100
            at -= 2
            at[0] = pairs[pair]
            at[1] = pairs[pair + 1]
        }
        if rest >= 10 {
            at -= 2
            at[0] = pairs[Int(rest) &* 2]
            at[1] = pairs[Int(rest) &* 2 + 1]
        } else {
            at -= 1
            at.pointee = UInt8(48 + rest)
        }
        written += digits
    }

    private static let digitPairs: StaticString = "00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899"

    @inlinable mutating func append(_ start: UnsafePointer<UInt8>, _ n: Int) {
        if n > capacity - written { grow(n) }
        (base + written).update(from: start, count: n)
        written += n
    }

    @usableFromInline mutating func grow(_ n: Int) {
        let larger = Swift.max(capacity * 2, count + n)
        let moved = UnsafeMutablePointer<UInt8>.allocate(capacity: larger)
        moved.update(from: base, count: count)
        base.deallocate()
        base = moved
        capacity = larger
    }
}
