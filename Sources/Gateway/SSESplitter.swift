/// Splits a server-sent-event byte stream into events on blank lines, as the
/// gateway does (`\n\n`).
struct SSESplitter {
    private var buffer: [UInt8] = []
    /// Where the next feed goes on looking for a blank line: the bytes before it hold none.
    /// Without it an event that never ends (an upstream's mistake, or a huge one) was
    /// scanned again from its start on every read, quadratic in its length.
    private var scanned = 0

    mutating func feed(_ bytes: [UInt8]) -> [String] {
        buffer += bytes
        var events: [String] = []
        var start = 0
        var i = scanned
        while i + 1 < buffer.count {
            if buffer[i] == 10, buffer[i + 1] == 10 {
                let event = String(decoding: buffer[start..<i], as: UTF8.self)
                if !event.isEmpty { events.append(event) }
                start = i + 2
                i += 2
            } else {
                i += 1
            }
        }
        buffer.removeFirst(start)
        scanned = i - start
        return events
    }

    /// Bytes of an event begun and not yet ended.
    var pendingBytes: Int { buffer.count }
}
