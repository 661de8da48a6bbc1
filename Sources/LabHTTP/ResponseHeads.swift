import LabCore

/// Where a server's response heads get their `Date`, and the last head it wrote with what
/// it was written from. A server answers with the same status and fields again and again;
/// within the same second (the `Date`), to a request of the same kind (method, version,
/// keep-alive), that head is the same bytes with the same framing, and they are copied
/// instead of written field by field.
final class ResponseHeads {
    let date: () -> String

    init(date: @escaping () -> String) { self.date = date }

    // Kept as separate properties, compared where they are: a struct or tuple of them would
    // be copied out of the optional holding it to be compared. None is kept while `bytes`
    // is empty (a head written is never empty).
    private var status = 0
    private var headers = HTTPHeaders()
    private var headRequest = false
    private var versionMajor = 0
    private var versionMinor = 0
    private var keepAlive = false
    private var dateText = ""
    private(set) var bytes: [UInt8] = []
    private(set) var framing = Responder.Framing.none
    private(set) var closeAfterEnd = false

    /// The last head was written from these.
    func isKept(status: Int, headers: HTTPHeaders, request: HTTPRequest, date: String) -> Bool {
        !bytes.isEmpty && status == self.status && request.keepAlive == keepAlive && request.versionMinor == versionMinor
            && request.versionMajor == versionMajor && (request.method == "HEAD") == headRequest && date == dateText
            && headers.isSpelledAs(self.headers)
    }

    func keep(status: Int, headers: HTTPHeaders, request: HTTPRequest, date: String, bytes: [UInt8], framing: Responder.Framing, closeAfterEnd: Bool) {
        self.status = status
        self.headers = headers
        headRequest = request.method == "HEAD"
        versionMajor = request.versionMajor
        versionMinor = request.versionMinor
        keepAlive = request.keepAlive
        dateText = date
        self.bytes = bytes
        self.framing = framing
        self.closeAfterEnd = closeAfterEnd
    }
}
