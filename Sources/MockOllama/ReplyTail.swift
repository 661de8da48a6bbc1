import LabCore

/// The end of the last reply of one shape, with what it was made from. A reply's variable
/// fields (its time, its id, the model named) come first; what follows them depends only on
/// the answer — the message, why it stopped, the counts — and a client asking the same thing
/// again gets the same answer: the end is copied instead of written again.
struct ReplyTail<Key: Equatable> {
    /// None or one: compared where it is stored (an optional is copied out to be compared,
    /// and the copy and its destruction cost more than the comparison).
    private var key: [Key] = []
    private var bytes: [UInt8] = []

    /// Writes the end for `key`: the bytes kept for it, or `make`'s, then kept.
    mutating func write(_ key: Key, to w: inout JSONBytes, make: (inout JSONBytes) -> Void) {
        if !self.key.isEmpty, self.key.withUnsafeBufferPointer({ $0[0] == key }) { return w.raw(bytes) }
        let start = w.count
        make(&w)
        bytes = w.bytes(from: start)
        self.key = [key]
    }
}
