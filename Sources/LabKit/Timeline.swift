import Gateway
import LabHTTP
import ProviderHost

/// Where the time of a scenario went, lane by lane (client, edge route, gateway, each
/// provider), in lab milliseconds from the scenario's start. Built from the runner's
/// outcomes and the components' journals; drawn by `HTMLReport`.
public struct Timeline {
    public enum Kind: String, Sendable {
        case ok, error, network, timeout, truncated, wait, pending
    }

    public struct Bar: Sendable {
        public var lane: String
        public var startMs: Double
        public var endMs: Double
        public var kind: Kind
        public var label: String
    }

    public var lanes: [String]
    public var bars: [Bar]
    /// Where the edge route gives up on the first request, in the same time base.
    public var edgeTimeoutAtMs: Double?
    public var endMs: Double {
        max(bars.map(\.endMs).max() ?? 0, 1)
    }

    /// Scenarios with more requests get no drawing (a load of an hour would be a
    /// picture of 72,000 bars); their windows tell the story instead.
    public static let maxRequests = 1_000

    static func kind(status: Int?) -> Kind {
        guard let status else { return .network }
        return (200...299).contains(status) ? .ok : (status == 408 || status == 504 ? .timeout : .error)
    }

    static func build(requests: [RequestOutcome], starts: [Double], edge: [EdgeRoute.Record], gateway: [GatewayJournalEntry],
                      providers: [(String, [JournalEntry])], startMs: Double, edgeTimeoutMs: Int) -> Timeline {
        var bars: [Bar] = []
        for (o, start) in zip(requests, starts) {
            let kind: Kind = o.edgeTimedOut ? .timeout : o.cutShort ? .truncated : o.clientError != nil ? .network : Self.kind(status: o.status)
            bars.append(Bar(lane: "client", startMs: start, endMs: start + o.labMs, kind: kind,
                            label: "request \(o.number): \(o.status.map(String.init) ?? (o.clientError ?? "no answer"))\(o.servedBy.map { " from \($0)" } ?? "")"))
        }
        for r in edge {
            bars.append(Bar(lane: "edge route", startMs: r.atMs - startMs, endMs: (r.endMs ?? r.atMs) - startMs,
                            kind: r.timedOut ? .timeout : Self.kind(status: r.status),
                            label: r.timedOut ? "gave up after \(edgeTimeoutMs) ms: 504" : "\(r.status.map(String.init) ?? "?") passed through"))
        }
        // Every component reads the loop's one clock: the scenario's start is every lane's origin.
        for entry in gateway {
            for a in entry.attempts {
                let kind: Kind
                switch a.outcome {
                case .network: kind = .network
                case .timedOut, .abandoned: kind = .timeout
                case .streamStarted where entry.truncated: kind = .truncated
                default: kind = a.status.map { Self.kind(status: $0) } ?? .pending
                }
                bars.append(Bar(lane: "gateway", startMs: a.startMs - startMs, endMs: (a.endMs ?? entry.endMs ?? a.startMs) - startMs,
                                kind: kind,
                                label: "\(a.target): \(a.outcome)" + (a.error.map { " — \($0)" } ?? "")
                                    + (a.changes.isEmpty ? "" : " (the gateway's translation: \(a.changes.joined(separator: "; ")))")))
            }
            for w in entry.waits {
                bars.append(Bar(lane: "gateway", startMs: w.atMs - startMs, endMs: w.atMs - startMs + Double(w.ms), kind: .wait,
                                label: "\(w.reason) \(w.ms) ms before retrying \(w.target)"))
            }
        }
        for (name, journal) in providers {
            for e in journal {
                let last = e.steps.last?.atMs ?? 0
                let kind: Kind
                if e.truncated { kind = .truncated }
                else if e.status == nil { kind = e.outcome == .clientGone ? .timeout : .network }
                else { kind = Self.kind(status: e.status) }
                let what = e.status.map(String.init) ?? (e.outcome == .clientGone ? "no answer (client left)" : "connection \(JournalEntry.name(e.outcome))")
                let load = e.modelWaitMs.map { "; the model loaded first (load_duration \($0) ms)" } ?? ""
                let queue = e.slotWaitMs.map { "; waited \($0) ms for a generation slot" } ?? ""
                bars.append(Bar(lane: name, startMs: e.atMs, endMs: e.atMs + last, kind: kind,
                                label: "\(e.method) \(e.path): \(what)\(e.ruleName.map { " (rule \($0))" } ?? "")\(load)\(queue)"))
            }
        }
        let edgeAt = starts.first.map { $0 + Double(edgeTimeoutMs) }
        return Timeline(lanes: ["client", "edge route", "gateway"] + providers.map(\.0), bars: bars, edgeTimeoutAtMs: edgeAt)
    }
}
