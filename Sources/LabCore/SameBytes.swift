import Glibc

extension Array where Element == UInt8 {
    /// Whether `other` holds these bytes, compared with one memcmp: `==` on arrays compares
    /// element by element, and what is compared here (a field, a request body) is compared
    /// on every request.
    @inlinable public func hasSameBytes(as other: UnsafeRawBufferPointer) -> Bool {
        guard count == other.count else { return false }
        return withUnsafeBytes { mine in isEmpty || memcmp(mine.baseAddress!, other.baseAddress!, count) == 0 }
    }

    @inlinable public func hasSameBytes(as other: [UInt8]) -> Bool {
        other.withUnsafeBytes { hasSameBytes(as: $0) }
    }
}
