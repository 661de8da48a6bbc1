/// One window of a load scenario, in lab time: what was sent in it and how it went.
public struct WindowStats: Equatable, Sendable {
    public var fromMs: Double
    public var toMs: Double
    public var requests: Int
    public var succeeded: Int
    /// Provider visits that started in the window, by provider, in lab.conf order.
    public var hits: [(String, Int)]
    /// Latency percentiles (nearest rank) of the requests sent in the window, in lab ms.
    public var p50Ms: Double
    public var p95Ms: Double
    public var p99Ms: Double
    public var maxMs: Double

    public var successRate: Double { requests == 0 ? 1 : Double(succeeded) / Double(requests) }

    public static func == (a: WindowStats, b: WindowStats) -> Bool {
        a.fromMs == b.fromMs && a.toMs == b.toMs && a.requests == b.requests && a.succeeded == b.succeeded
            && a.hits.map(\.0) == b.hits.map(\.0) && a.hits.map(\.1) == b.hits.map(\.1)
            && a.p50Ms == b.p50Ms && a.p95Ms == b.p95Ms && a.p99Ms == b.p99Ms && a.maxMs == b.maxMs
    }

    /// Nearest-rank percentile of sorted values.
    static func percentile(_ sorted: [Double], _ p: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        let rank = Int((p / 100 * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }

    /// Cuts a run into windows of `windowMs` by when each request was sent. Pure.
    public static func compute(requests: [RequestOutcome], visits: [ProviderVisit], providers: [String], windowMs: Double, durationMs: Double) -> [WindowStats] {
        guard windowMs > 0 else { return [] }
        let count = max(1, Int((durationMs / windowMs).rounded(.up)))
        var latencies = [[Double]](repeating: [], count: count)
        var succeeded = [Int](repeating: 0, count: count)
        var hits = [[Int]](repeating: [Int](repeating: 0, count: providers.count), count: count)
        func slot(_ ms: Double) -> Int { min(max(Int(ms / windowMs), 0), count - 1) }
        for o in requests {
            let i = slot(o.startLabMs)
            latencies[i].append(o.labMs)
            if o.succeeded { succeeded[i] += 1 }
        }
        let index = Dictionary(uniqueKeysWithValues: providers.enumerated().map { ($1, $0) })
        for v in visits {
            if let p = index[v.provider] { hits[slot(v.atMs)][p] += 1 }
        }
        return (0..<count).map { i in
            let sorted = latencies[i].sorted()
            return WindowStats(fromMs: Double(i) * windowMs, toMs: min(Double(i + 1) * windowMs, max(durationMs, windowMs)),
                               requests: sorted.count, succeeded: succeeded[i], hits: zip(providers, hits[i]).map { ($0, $1) },
                               p50Ms: percentile(sorted, 50), p95Ms: percentile(sorted, 95), p99Ms: percentile(sorted, 99), maxMs: sorted.last ?? 0)
        }
    }
}
