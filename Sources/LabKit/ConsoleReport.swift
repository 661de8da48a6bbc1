import Gateway
import Foundation
import LabCore
import LabHTTP

/// The console narrative: each scenario the way the original demo printed its tests
/// (a header, the configuration, SUCCESS / EXPECTED FAILURE lines with the response
/// and latency), plus hits per provider, the target that served, and each verdict.
public struct ConsoleReport {
    public var color: Bool
    public let rule = String(repeating: "=", count: 70)

    /// Says what the overhead figure of a direct comparison is made of.
    public var overheadNote: String?

    public init(color: Bool) { self.color = color }

    /// What a fallback config's overhead means on this clock.
    public static func overheadNote(_ clock: LoopClock) -> String {
        if clock.isSimulated {
            return "Simulated: only modelled costs differ between the two paths — per-hop network latency (network.latency_ms) and the gateway's own waits; the model's time is the same on both."
        }
        return "Measured on the \(clock.name) clock: it includes this machine's scheduling noise; the simulated clock gives the modelled figure."
    }

    func paint(_ text: String, _ code: String) -> String { color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }
    func green(_ t: String) -> String { paint(t, "32") }
    func red(_ t: String) -> String { paint(t, "31") }
    func dim(_ t: String) -> String { paint(t, "2") }
    func bold(_ t: String) -> String { paint(t, "1") }

    static func seconds(_ ms: Double) -> String {
        let v = (ms / 1000 * 1000).rounded() / 1000
        let s = String(v)
        let parts = s.split(separator: ".")
        let frac = parts.count > 1 ? String(parts[1]) : ""
        return "\(parts[0]).\(frac.padding(toLength: 3, withPad: "0", startingAt: 0))s"
    }

    /// Text from outside the lab (an answer, an error, a fault's body) on one line, its
    /// other control characters escaped (`terminalSafe`).
    static func clip(_ text: String, _ n: Int = 60) -> String {
        let line = text.replacingOccurrences(of: "\r\n", with: " ").replacingOccurrences(of: "\n", with: " ")
            .replacingOccurrences(of: "\t", with: " ").terminalSafe
        return line.count > n ? String(line.prefix(n)) + "..." : line + "..."
    }

    public func header(_ result: ScenarioResult, number: Int, env: LabEnvironment) -> String {
        let s = result.scenario
        var out: [String] = [rule, bold("TEST \(number): \(s.title)") + dim("  [\(s.name)]"), rule, "", "Configuration:"]
        out += configurationLines(s.target, env: env, indent: "  ", label: nil)
        if !s.faults.isEmpty {
            out.append("Faults:")
            for (provider, rules) in s.faults.sorted(by: { $0.key < $1.key }) {
                for rule in rules { out.append("  \(provider): \(rule.source.compact)") }
            }
        }
        return out.joined(separator: "\n")
    }

    func configurationLines(_ t: PortkeyTarget, env: LabEnvironment, indent: String, label: String?) -> [String] {
        var line = indent + (label.map { "\($0): " } ?? "")
        if let mode = t.mode {
            line += "strategy \(mode.rawValue)"
            if let codes = t.onStatusCodes { line += ", on_status_codes [\(codes.map(String.init).joined(separator: ","))]" }
        } else {
            line += t.provider ?? "?"
            if let host = t.customHost {
                let where_ = URLParts(host).flatMap { env.config.hosts[$0.host.lowercased()] }.map(Self.describe) ?? ""
                line += " \(host)\(where_.isEmpty ? "" : " → \(where_)")"
            }
            if let model = t.overrideParams?.first(where: { $0.0 == "model" })?.1.stringValue { line += " (model \(model))" }
        }
        var extras: [String] = []
        if let ms = t.requestTimeoutMs { extras.append("request_timeout \(ms)") }
        if let r = t.retry {
            extras.append("retry \(r.attempts)" + (r.onStatusCodes.map { " on [\($0.map(String.init).joined(separator: ","))]" } ?? "")
                          + (r.useRetryAfterHeader ? " honouring Retry-After" : ""))
        }
        if let w = t.weight { extras.append("weight \(JSONValue.double(w).javaScriptCompact)") }
        if let n = t.name { extras.append("name \(n)") }
        if !extras.isEmpty { line += ", " + extras.joined(separator: ", ") }
        return [line] + t.targets.enumerated().flatMap { i, child in
            configurationLines(child, env: env, indent: indent + "  ", label: "targets[\(i)]")
        }
    }

    public static func describe(_ m: HostMapping) -> String {
        switch m {
        case .provider(let p): return p
        case .refused: return "unreachable (refused)"
        case .dns: return "unreachable (DNS)"
        case .hang: return "unreachable (hangs)"
        }
    }

    public func requestLines(_ o: RequestOutcome, of total: Int, expect: Expectations) -> String {
        var out = ["", "[Request \(o.number)/\(total)] \(Self.clip(o.label))"]
        // The scenario says this request should fail: an error status, or a stream it expects cut.
        let expectedFailure = expect.status.map { !(200...299).contains($0) } ?? false || expect.streamShape == "truncated" || expect.streamComplete == false
        let where_ = [o.servedBy.map { "from \($0)" }, o.lastUsedOptionIndex.map { "via \($0)" },
                      o.retryAttemptCount.map { "retries \($0)" }].compactMap { $0 }.joined(separator: ", ")
        if o.succeeded {
            let unterminated = o.streamShape == "missing_terminator" ? ", complete but without data: [DONE] at the end" : ""
            out.append("  " + green("SUCCESS") + ": \(o.status!)\(where_.isEmpty ? "" : " " + where_)\(o.fallbackTriggered ? " (fallback)" : "")\(unterminated)")
        } else {
            let label = expectedFailure ? "EXPECTED FAILURE" : "FAILURE"
            let what: String
            if o.edgeTimedOut { what = "504 from the edge route (the gateway had not answered in time)" }
            else if let s = o.status {
                let broke = o.clientError.map { ", then \($0)" }
                    ?? (o.streamShape == "truncated" ? ", stream cut short (no finish_reason: tokens are missing)" : "")
                what = "\(s)\(where_.isEmpty ? "" : " " + where_)" + broke
            }
            else { what = "no answer: \(o.clientError ?? "?")" }
            out.append("  " + (expectedFailure ? paint(label, "33") : red(label)) + ": \(what)")
        }
        let partial = !o.succeeded && o.stream && o.status.map { (200...299).contains($0) } == true && !o.body.isEmpty
        out.append("  \(o.succeeded ? "Response" : partial ? "Received before the cut" : "Error"): \(Self.clip(o.responseText))")
        out.append("  Latency: \(Self.seconds(o.labMs))")
        if o.clientAttempts > 1 { out.append("  Client attempts: \(o.clientAttempts) (the client retried)") }
        return out.joined(separator: "\n")
    }

    public func statistics(_ result: ScenarioResult) -> String {
        let r = result.requests
        let ok = r.filter(\.succeeded).count
        let avg = r.isEmpty ? 0 : r.map(\.labMs).reduce(0, +) / Double(r.count)
        var statusCounts: [String: Int] = [:]
        for o in r { statusCounts[o.status.map(String.init) ?? "none", default: 0] += 1 }
        var out = ["", "  Statistics:",
                   "  - Total requests: \(r.count)", "  - Successful: \(ok)", "  - Failed: \(r.count - ok)",
                   "  - Success rate: \(String(format: "%.1f", r.isEmpty ? 0 : Double(ok) * 100 / Double(r.count)))%",
                   "  - Fallback triggered: \(r.filter(\.fallbackTriggered).count)",
                   "  - Avg latency: \(Self.seconds(avg))",
                   "  - Statuses: " + statusCounts.sorted { $0.key < $1.key }.map { "\($0.key) ×\($0.value)" }.joined(separator: ", ")]
        var served: [String: Int] = [:]
        for o in r { served[o.servedBy ?? "none", default: 0] += 1 }
        out.append("  - Served by: " + served.sorted { $0.key < $1.key }.map { "\($0.key) ×\($0.value)" }.joined(separator: ", "))
        return out.joined(separator: "\n")
    }

    /// A load scenario's windows: one line each, in lab time.
    public func windows(_ result: ScenarioResult) -> String {
        guard !result.windows.isEmpty else { return "" }
        let names = result.windows[0].hits.map(\.0)
        var out = ["", "  Windows (lab time; latency by when the request was sent):",
                   "    " + ["window".padding(toLength: 17, withPad: " ", startingAt: 0), "sent".leftPad(6), "ok %".leftPad(7), "p50".leftPad(8), "p95".leftPad(8),
                            "p99".leftPad(8), "max".leftPad(8)].joined(separator: " ") + "  hits " + names.joined(separator: "/")]
        for w in result.windows {
            let span = Self.windowText(w.fromMs, w.toMs).padding(toLength: 17, withPad: " ", startingAt: 0)
            let rate = String(format: "%.1f", w.successRate * 100)
            let line = [span, String(w.requests).leftPad(6), rate.leftPad(7), Self.seconds(w.p50Ms).leftPad(8), Self.seconds(w.p95Ms).leftPad(8),
                        Self.seconds(w.p99Ms).leftPad(8), Self.seconds(w.maxMs).leftPad(8)].joined(separator: " ")
            let text = "    " + line + "  " + w.hits.map { String($0.1) }.joined(separator: "/")
            out.append(w.successRate < 1 ? red(text) : text)
        }
        return out.joined(separator: "\n")
    }

    /// `1:05:00` or `12:30` for lab milliseconds.
    public static func clockText(_ ms: Double) -> String {
        let total = Int((ms / 1000).rounded())
        let (h, m, s) = (total / 3600, total / 60 % 60, total % 60)
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return h > 0 ? "\(h):\(two(m)):\(two(s))" : "\(m):\(two(s))"
    }

    /// A report window's span: on the clock when both ends fall on whole seconds, else in
    /// seconds with their fraction (a 0.1 s window read "0:00–0:00").
    public static func windowText(_ fromMs: Double, _ toMs: Double) -> String {
        let whole = fromMs.truncatingRemainder(dividingBy: 1000) == 0 && toMs.truncatingRemainder(dividingBy: 1000) == 0
        return whole ? "\(clockText(fromMs))–\(clockText(toMs))" : "\(seconds(fromMs))–\(seconds(toMs))"
    }

    public func footer(_ result: ScenarioResult) -> String {
        var out: [String] = []
        if let d = result.direct, let first = result.requests.first {
            out += ["", "[Without Fallback Config] Making direct request...",
                    "  " + (d.succeeded ? green("SUCCESS (Direct)") : red("FAILURE (Direct)")),
                    "  Response: \(Self.clip(d.responseText))", "  Latency: \(Self.seconds(d.labMs))"]
            let overhead = first.labMs - d.labMs
            let pct = d.labMs > 0 ? overhead * 100 / d.labMs : 0
            out += ["", "  Fallback Config Overhead: \(Self.seconds(overhead)) (\(String(format: "%.1f", pct))%)"]
            if let why = overheadNote { out.append(dim("  " + why)) }
        }
        out.append("")
        out.append("Hits: " + result.hits.map { "\($0.0) \($0.1)" }.joined(separator: ", "))
        if !result.verdicts.isEmpty {
            out.append("Expectations:")
            for v in result.verdicts {
                let mark = v.passed ? green("✔") : red("✘")
                let detail = v.passed ? "\(v.name) = \(v.expected)" : "\(v.name): expected \(v.expected), got \(v.actual.terminalSafe)"
                out.append("  \(mark) \(detail)")
            }
        }
        if let note = result.scenario.note {
            out.append("Why: " + note.trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: "\n", with: "\n     "))
        }
        out.append("")
        return out.joined(separator: "\n")
    }

    public func summary(_ results: [ScenarioResult], env: LabEnvironment) -> String {
        var out = [rule, bold("RESULTS SUMMARY"), rule]
        let width = max(8, results.map(\.scenario.name.count).max() ?? 8)
        for r in results {
            let mark = r.passed ? green("PASS") : red("FAIL")
            let n = r.requests.count
            let lab = r.labMs
            out.append("  \(mark)  \(r.scenario.name.padding(toLength: width, withPad: " ", startingAt: 0))  \(String(n).leftPad(3)) request\(n == 1 ? " " : "s")  \(Self.seconds(lab).leftPad(9)) lab  \(Self.seconds(r.wallMs).leftPad(8)) wall")
            for v in r.verdicts where !v.passed { out.append("        " + red("✘") + " \(v.name): expected \(v.expected), got \(v.actual.terminalSafe)") }
        }
        let failed = results.filter { !$0.passed }.count
        let gateway = env.isEmbedded ? "embedded gateway" : "gateway \(env.gatewayURL)"
        out.append("")
        out.append("\(results.count) scenarios: \(results.count - failed) passed, \(failed) failed" + dim("  (\(env.clock.name) clock, \(gateway), edge timeout \(env.config.edgeTimeoutMs) ms)"))
        return out.joined(separator: "\n")
    }
}


extension String {
    func leftPad(_ n: Int) -> String { count >= n ? self : String(repeating: " ", count: n - count) + self }
}

