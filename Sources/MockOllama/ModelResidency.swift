/// A model in memory as Ollama's scheduler keeps it: from the start of its load until its
/// keep-alive runs out after its last answer ends. Pure: times come from the caller.
struct ModelResidency: Equatable {
    /// The model's key (`llama3:latest`).
    let key: String
    /// When its load ends; a request before then waits for the rest.
    var readyAt: WallTime
    /// When the latest answer it gives is planned to end.
    var busyUntil: WallTime
    /// How long it stays once idle, in nanoseconds (`GoDuration.forever` for ever): the
    /// keep-alive of the last request that gave one, else the server's at its load.
    var keepAlive: Int
    /// The expiry set when it last went idle. Ollama's scheduler sets a model's `expiresAt`
    /// only when its last request ends, so `/api/ps` shows this one while answers run.
    var lastExpiry: WallTime?

    init(_ key: String, loadingUntil readyAt: WallTime, keepAlive: Int) {
        self.key = key
        self.readyAt = readyAt
        busyUntil = readyAt
        self.keepAlive = keepAlive
    }

    var expiresAt: WallTime { busyUntil.adding(nanoseconds: keepAlive) }

    /// Out of memory once its keep-alive has run out after its last answer.
    func inMemory(at now: WallTime) -> Bool { now < expiresAt }

    /// A request for it now: it waits for the rest of a load, its keep-alive (if it gives
    /// one) replaces the model's, and the model is busy at least until the request is ready.
    /// Returns the milliseconds to wait.
    mutating func use(at now: WallTime, keepAlive requested: Int?) -> Int {
        if busyUntil <= now { lastExpiry = expiresAt }
        if let requested { keepAlive = requested }
        let wait = readyAt > now ? readyAt.millisecondsAfter(now) : 0
        busyUntil = max(busyUntil, now.adding(milliseconds: wait))
        return wait
    }

    /// An answer that ends `ms` after `start`: the keep-alive counts from its end.
    mutating func answer(from start: WallTime, lastingMs ms: Int) {
        busyUntil = max(busyUntil, start.adding(milliseconds: ms))
    }

    /// `keep_alive: 0` with nothing to generate: out as soon as its answers end.
    mutating func expire(at now: WallTime) {
        keepAlive = 0
        lastExpiry = now
    }

    /// `expires_at` in `/api/ps`: when an answer is under way, the expiry set when it last
    /// went idle (or, before it ever did, now plus its keep-alive, as Ollama computes it then).
    func shownExpiry(at now: WallTime) -> WallTime {
        guard now < busyUntil else { return expiresAt }
        return lastExpiry ?? now.adding(nanoseconds: keepAlive)
    }
}
