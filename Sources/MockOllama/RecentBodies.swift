/// The last few request bodies decoded, by their bytes and the type they were decoded
/// into. Clients send the same body again and again — a load generator, a gateway
/// retrying or falling back to the next target, a scenario asking the same thing — and
/// decoding is a pure function of the bytes (the JSON tree, encoding/json's checks, the
/// typed request): a body seen before skips all three. Only bodies that decoded cleanly
/// are kept, only small ones, and only a few; a body is matched whole, with one memcmp.
///
/// A body is kept decoded only once it has come twice: until then only its bytes are
/// kept, so a client whose every body is new pays a scan and the bytes' reference, not a
/// copy of its typed request.
struct RecentBodies {
    private struct Slot {
        var type: ObjectIdentifier
        var bytes: [UInt8]
        /// A `DecodedBody` of the type `type` names, once the body came again.
        var decoded: AnyObject?
    }

    static let capacity = 4
    static let maxBytes = 16 * 1024

    private var slots: [Slot] = []
    /// The slot the next new body takes once all are taken: the oldest.
    private var oldest = 0
    /// The slot of the body last looked for, when its bytes were kept but not its decoding.
    private var seenOnce: Int?
    /// Bodies found decoded here, for tests.
    private(set) var hits = 0

    /// The typed request decoded from these bytes before, if kept.
    mutating func find<Body: GoRequest>(_ bytes: [UInt8], as type: Body.Type) -> DecodedBody<Body>? {
        let id = ObjectIdentifier(type)
        seenOnce = nil
        // Read in place: a loop over copies retains and releases each slot's members.
        let found = bytes.withUnsafeBytes { wanted in
            slots.withUnsafeBufferPointer { slots in
                slots.firstIndex { $0.type == id && $0.bytes.hasSameBytes(as: wanted) }
            }
        }
        guard let found else { return nil }
        guard let decoded = slots[found].decoded else {
            seenOnce = found
            return nil
        }
        hits += 1
        // The identifier matched: the object was made for this type.
        return unsafeDowncast(decoded, to: DecodedBody<Body>.self)
    }

    /// After a `find` that found nothing decoded: what these bytes decoded into.
    mutating func keep<Body: GoRequest>(_ bytes: [UInt8], _ body: Body, model: String?) {
        if let again = seenOnce {
            slots[again].decoded = DecodedBody(body, model: model)
            return
        }
        guard bytes.count <= Self.maxBytes else { return }
        let slot = Slot(type: ObjectIdentifier(Body.self), bytes: bytes)
        guard slots.count == Self.capacity else { return slots.append(slot) }
        slots[oldest] = slot
        oldest = (oldest + 1) % Self.capacity
    }
}

/// A kept body's typed request and the model it named. Handed out as it is: its handler
/// reads the request in place instead of taking a copy of each of its fields.
final class DecodedBody<Body> {
    let body: Body
    let model: String?
    init(_ body: Body, model: String?) {
        self.body = body
        self.model = model
    }
}
