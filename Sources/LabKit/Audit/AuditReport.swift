import LabCore

/// What one situation of an audit came to, as the client and the providers saw it.
public struct AuditRow {
    public var situation: ConfigAudit.Situation
    public var requests: Int
    /// What the client got, with how often: `200`, `503`, `504 from the route`, `no answer`.
    public var outcomes: [(what: String, count: Int)]
    /// The targets that answered with a success, with how often.
    public var servedBy: [(path: String, count: Int)]
    /// Requests each host saw, retries included, in the config's order of hosts.
    public var tries: [(host: String, count: Int)]
    public var succeeded: Int
    /// The longest a request took, in lab milliseconds.
    public var longestMs: Double
    /// Whether every request succeeded, where that is owed: every host answering, or one
    /// failing while another could have answered. nil where it is not (every host failing,
    /// or one failing in a config with one host), or where a loadbalance drew no request to
    /// the failing host.
    public var survived: Bool?
    /// A loadbalance drew no request to the failing host: the row tests nothing.
    public var undrawn: Bool
    /// What the first request that failed was told, when the route did not cut it off:
    /// the gateway's or the provider's error message, or the client's error.
    public var firstError: String?

    public init(situation: ConfigAudit.Situation, result: ScenarioResult, audit: ConfigAudit) {
        self.situation = situation
        requests = result.requests.count
        // Structured output that is not JSON is no answer to a client that parses it.
        let notJSON = { (o: RequestOutcome) in audit.wantsJSON && o.succeeded && o.contentIsJSON != true }
        let answered = { (o: RequestOutcome) in o.succeeded && !notJSON(o) }
        outcomes = Self.counted(result.requests.map { o in
            if o.edgeTimedOut { return "504 from the route" }
            guard let status = o.status else { return "no answer" }
            if notJSON(o) { return "\(status), not JSON" }
            return o.cutShort ? "\(status), cut short" : "\(status)"
        })
        servedBy = Self.counted(result.requests.filter(\.succeeded).compactMap(\.lastUsedOptionIndex))
        tries = audit.hosts.enumerated().map { i, host in
            (host, result.visits.filter { $0.provider == ConfigAudit.providerName(i) }.count)
        }
        succeeded = result.requests.filter(answered).count
        longestMs = result.requests.map(\.labMs).max() ?? 0
        // A loadbalance that drew no request to the failing host did not put it to the test.
        undrawn = ConfigAudit.hasLoadbalance(audit.target) && situation.failing.count == 1
            && tries.contains { $0.host == situation.failing[0] && $0.count == 0 }
        survived = situation.owesAnswer && !undrawn ? succeeded == requests : nil
        firstError = result.requests.first { !answered($0) && !$0.edgeTimedOut }.map { o in
            notJSON(o) ? "content that is not JSON: \(o.responseText)" : o.responseText
        }
    }

    static func counted(_ items: [String]) -> [(String, Int)] {
        var out: [(String, Int)] = []
        for item in items {
            if let i = out.firstIndex(where: { $0.0 == item }) { out[i].1 += 1 } else { out.append((item, 1)) }
        }
        return out
    }
}

/// What an audit's rows come to, for each report that sums them up.
struct AuditTally {
    /// Failures of one host put to the test (the client owed its answer, the host drawn).
    let tested: [AuditRow]
    /// …of which the client did not get its answer.
    let fallen: [AuditRow]
    /// Every host answered, and still a request failed.
    let healthyFailed: Bool

    init(_ rows: [AuditRow]) {
        tested = rows.filter { $0.survived != nil && !$0.situation.failing.isEmpty }
        fallen = tested.filter { $0.survived == false }
        healthyFailed = rows.contains { $0.situation.failing.isEmpty && $0.survived == false }
    }
}

/// The audit told: the targets, a line per situation, and what did not hold. Pure.
public enum AuditReport {
    /// `writtenLab`: where `--write-lab` puts the audit's lab, for the hint that explains a ✗.
    public static func render(_ audit: ConfigAudit, rows: [AuditRow], writtenLab: String? = nil) -> [String] {
        let mode = audit.target.isGroup ? (audit.target.mode?.rawValue ?? "single") : "single"
        var lines = ["\(audit.file.terminalSafe) — the gateway accepts it: \(mode) over \(audit.leaves.count) target\(audit.leaves.count == 1 ? "" : "s")"]
        let pathWidth = audit.leaves.map(\.path.count).max() ?? 0
        for leaf in audit.leaves {
            var line = "  \(pad(leaf.path, pathWidth))  \(pad(leaf.provider, 9))  \(leaf.customHost.terminalSafe)"
            if let model = leaf.model { line += "  model \(model.terminalSafe)" }
            if leaf.vendorDefault { line += "  (no custom_host: the vendor's own host, faked)" }
            if leaf.overHTTP { line += "  (https: faked over http)" }
            lines.append(line)
            if !leaf.changes.isEmpty {
                lines.append("  \(String(repeating: " ", count: pathWidth))  the gateway's translation of the request: \(leaf.changes.joined(separator: "; ").terminalSafe)")
            }
        }
        let each = audit.requestsPerSituation == 1 ? "1 request"
            : "\(audit.requestsPerSituation) requests" + (ConfigAudit.hasLoadbalance(audit.target) ? " (a loadbalance draws per request)" : "")
        let meta = audit.metadata.map { " with metadata \($0.compact.terminalSafe)," } ?? ""
            + (audit.request == nil ? "" : " with the request given" + (audit.wantsJSON ? " (structured output: an answer must be JSON)" : "") + ",")
        lines.append("  Each situation: \(each)\(audit.stream ? ", streamed," : "")\(meta) for model \(audit.model.terminalSafe) through the embedded gateway, behind a route that answers 504 after \(ConsoleReport.seconds(Double(audit.edgeTimeoutMs))); simulated clock, seed \(audit.seed).")
        lines.append("")
        let table: [[String]] = [["", "When", "Client gets", "Served by", "Requests each host saw", "Longest"]] + rows.map { row in
            [row.survived.map { $0 ? "ok" : "✗" } ?? "",
             row.situation.when.terminalSafe,
             list(row.outcomes),
             row.servedBy.isEmpty ? "—" : list(row.servedBy.map { (servedText($0.path, audit), $0.count) }),
             row.tries.map { "\($0.host.terminalSafe) \($0.count)" }.joined(separator: ", "),
             ConsoleReport.seconds(row.longestMs)]
        }
        let widths = (0..<table[0].count).map { c in table.map { $0[c].count }.max() ?? 0 }
        for cells in table {
            lines.append("  " + zip(cells, widths).enumerated().map { i, cw in i == cells.count - 1 ? cw.0 : pad(cw.0, cw.1) }.joined(separator: "  "))
        }
        lines.append("")
        if let healthy = rows.first(where: { $0.situation.failing.isEmpty }), healthy.survived == false {
            let failed = healthy.requests - healthy.succeeded
            lines.append("  ✗ With every host answering, \(failed) of \(healthy.requests) request\(healthy.requests == 1 ? "" : "s") \(failed == 1 ? "fails" : "fail"): \(explained(healthy))")
        }
        let tally = AuditTally(rows)
        let (fallen, single) = (tally.fallen, tally.tested)
        if single.isEmpty {
            lines.append("  One host only: every failure reaches the client (nothing to fall back to).")
        } else if fallen.isEmpty {
            lines.append("  Every failure of one host (\(single.count)) is survived: the client still gets its answer.")
        } else {
            lines.append("  ✗ \(fallen.count) of \(single.count) failures of one host reach the client although another host could answer:")
            for row in fallen { lines.append("    - \(row.situation.when.terminalSafe): \(explained(row))  [\(row.situation.name)]") }
        }
        let unreached = rows.filter(\.undrawn)
        if !unreached.isEmpty {
            let hosts = Set(unreached.map { $0.situation.failing[0] })
            lines.append("  No request was drawn to \(audit.hosts.filter(hosts.contains).map(\.terminalSafe).joined(separator: ", ")) while it failed: raise --requests (now \(audit.requestsPerSituation)) to see its failures.")
        }
        if let first = rows.first(where: { $0.survived == false }) {
            let explain = "lab explain \(first.situation.name) --config \((writtenLab ?? "audit.conf").terminalSafe)"
            lines.append("  Why, attempt by attempt: " + (writtenLab == nil ? "lab audit \(audit.file.terminalSafe) --write-lab audit.conf, then " : "") + explain)
        }
        return lines
    }

    /// The audit as JSON, for CI: the targets and each situation's outcome.
    public static func json(_ audit: ConfigAudit, rows: [AuditRow]) -> JSONValue {
        let targets: [JSONValue] = audit.leaves.map { leaf in
            .object([("path", .string(leaf.path)), ("provider", .string(leaf.provider)), ("custom_host", .string(leaf.customHost)),
                     ("host", .string(leaf.host)), ("model", leaf.model.map(JSONValue.string) ?? .null), ("vendor_default", .bool(leaf.vendorDefault)), ("over_http", .bool(leaf.overHTTP))]
                    + (leaf.changes.isEmpty ? [] : [("changes", .array(leaf.changes.map(JSONValue.string)))]))
        }
        let situations: [JSONValue] = rows.map { row in
            .object([("name", .string(row.situation.name)), ("when", .string(row.situation.when)),
                     ("failing", .array(row.situation.failing.map(JSONValue.string))),
                     ("requests", .int(row.requests)), ("succeeded", .int(row.succeeded)),
                     ("outcomes", .object(row.outcomes.map { ($0.what, .int($0.count)) })),
                     ("served_by", .object(row.servedBy.map { ($0.path, .int($0.count)) })),
                     ("requests_per_host", .object(row.tries.map { ($0.host, .int($0.count)) })),
                     ("longest_ms", .double(row.longestMs)),
                     ("survived", row.survived.map(JSONValue.bool) ?? .null),
                     ("first_error", row.firstError.map(JSONValue.string) ?? .null)])
        }
        return .object([("file", .string(audit.file)), ("edge_timeout_ms", .int(audit.edgeTimeoutMs)), ("seed", .unsigned(audit.seed)),
                        ("model", .string(audit.model)), ("stream", .bool(audit.stream)), ("metadata", audit.metadata ?? .null), ("targets", .array(targets)), ("situations", .array(situations)),
                        ("not_survived", .int(rows.filter { $0.survived == false }.count))]
                       + (audit.request.map { [("request", $0)] } ?? []))
    }

    /// The outcomes, and what the first failure was told.
    static func explained(_ row: AuditRow) -> String {
        guard let error = row.firstError, !error.isEmpty else { return list(row.outcomes) }
        let clipped = error.count > 200 ? String(error.prefix(200)) + "…" : error
        return "\(list(row.outcomes)) (\(clipped.replacingOccurrences(of: "\n", with: " ").terminalSafe))"
    }

    private static func servedText(_ path: String, _ audit: ConfigAudit) -> String {
        guard let leaf = audit.leaves.first(where: { $0.path == path }) else { return path.terminalSafe }
        return "\(path) (\(leaf.host.terminalSafe))"
    }

    static func list(_ counted: [(String, Int)]) -> String {
        counted.map { $0.1 > 1 || counted.count > 1 ? "\($0.0) ×\($0.1)" : $0.0 }.joined(separator: ", ")
    }

    private static func pad(_ s: String, _ width: Int) -> String {
        s.count >= width ? s : s + String(repeating: " ", count: width - s.count)
    }
}
