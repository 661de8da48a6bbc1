/// A model in memory as Ollama's scheduler keeps it: from the start of its load while any
/// answer is under way (Ollama's reference count), then until its keep-alive runs out after
/// the last one ended. Pure: times come from the caller.
struct ModelResidency {
    /// The model's key (`llama3:latest`).
    let key: String
    /// When its load ends; a request before then waits for the rest.
    var readyAt: WallTime
    /// When its last answer ended (its load's start before any did).
    var lastEnd: WallTime
    /// The answers under way, by ticket, with when each is planned to end: the ends count
    /// only to foresee when it will be idle (to make room for another model); it stays in
    /// memory until each is reported ended.
    var inFlight: [(ticket: Int, plannedEnd: WallTime)] = []
    /// How long it stays once idle, in nanoseconds (`GoDuration.forever` for ever): the
    /// keep-alive of the last request that gave one, else the server's at its load.
    var keepAlive: Int
    /// The expiry set when it last went idle. Ollama's scheduler sets a model's `expiresAt`
    /// only when its last request ends, so `/api/ps` shows this one while answers run.
    var lastExpiry: WallTime?

    init(_ key: String, loadingFrom start: WallTime, forMs loadMs: Int, keepAlive: Int) {
        self.key = key
        readyAt = start.adding(milliseconds: loadMs)
        lastEnd = start
        self.keepAlive = keepAlive
    }

    /// Answering, or still loading.
    func isBusy(at now: WallTime) -> Bool { !inFlight.isEmpty || now < readyAt }

    /// When its keep-alive runs out, if nothing more comes.
    var expiresAt: WallTime { max(lastEnd, readyAt).adding(nanoseconds: keepAlive) }

    func inMemory(at now: WallTime) -> Bool { isBusy(at: now) || now < expiresAt }

    /// When it is foreseen to be idle: its load done and its answers ended as planned.
    var foreseenIdle: WallTime { inFlight.reduce(readyAt) { max($0, $1.plannedEnd) } }

    /// A request for it now, as `ticket`: it waits for the rest of a load, its keep-alive
    /// (if it gives one) replaces the model's. Returns the milliseconds to wait.
    mutating func use(at now: WallTime, ticket: Int, keepAlive requested: Int?) -> Int {
        if !isBusy(at: now) { lastExpiry = expiresAt }
        if let requested { keepAlive = requested }
        let wait = readyAt > now ? readyAt.millisecondsAfter(now) : 0
        inFlight.append((ticket, now.adding(milliseconds: wait)))
        return wait
    }

    /// The answer `ticket` is planned to end `ms` after `start`.
    mutating func plan(_ ticket: Int, from start: WallTime, lastingMs ms: Int) {
        // The answer being written is the latest: found at once from the end.
        guard let i = inFlight.lastIndex(where: { $0.ticket == ticket }) else { return }
        inFlight[i].plannedEnd = start.adding(milliseconds: ms)
    }

    /// The answer `ticket` ended now (sent, cut, or its client gone). False when it is not
    /// one of this model's.
    mutating func end(_ ticket: Int, at now: WallTime) -> Bool {
        // Answers mostly end in the order they began: found at once from the start.
        guard let i = inFlight.firstIndex(where: { $0.ticket == ticket }) else { return false }
        inFlight.remove(at: i)
        lastEnd = max(lastEnd, now)
        return true
    }

    /// `keep_alive: 0` with nothing to generate, or room needed for another model: out as
    /// soon as its answers end.
    mutating func expire(at now: WallTime) {
        keepAlive = 0
        lastExpiry = now
    }

    /// `expires_at` in `/api/ps`: when an answer is under way, the expiry set when it last
    /// went idle (or, before it ever did, now plus its keep-alive, as Ollama computes it then).
    func shownExpiry(at now: WallTime) -> WallTime {
        guard isBusy(at: now) else { return expiresAt }
        return lastExpiry ?? now.adding(nanoseconds: keepAlive)
    }
}
