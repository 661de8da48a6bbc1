import Foundation
import LabCore

/// Reports for machines: the verdict JSON and JUnit XML that CI systems read.
public enum MachineReports {
    public static func json(_ results: [ScenarioResult], env: LabEnvironment, seed: UInt64) -> JSONValue {
        let failed = results.filter { !$0.passed }.count
        return .object([
            ("lab", .object([("config", .string(env.config.file)), ("seed", .unsigned(seed)), ("clock", .string(env.clock.name)),
                             ("gateway", .string(env.isEmbedded ? "embedded" : env.gatewayURL)), ("edge_timeout_ms", .int(env.config.edgeTimeoutMs))])),
            ("summary", .object([("scenarios", .int(results.count)), ("passed", .int(results.count - failed)), ("failed", .int(failed))])),
            ("scenarios", .array(results.map { r in
                .object([
                    ("name", .string(r.scenario.name)), ("title", .string(r.scenario.title)), ("passed", .bool(r.passed)),
                    ("hits", .object(r.hits.map { ($0.0, .int($0.1)) })),
                    ("verdicts", .array(r.verdicts.map { v in
                        .object([("name", .string(v.name)), ("passed", .bool(v.passed)), ("expected", .string(v.expected)),
                                 ("actual", .string(v.actual)), ("request", v.request.map(JSONValue.int) ?? .null)])
                    })),
                    ("requests", .array(r.requests.prefix(maxListed).map(request))),
                    ("requests_not_listed", .int(max(0, r.requests.count - maxListed))),
                    ("direct", r.direct.map(request) ?? .null),
                    ("gateway", .array(r.gatewayJournal.prefix(maxListed).map(\.json))),
                    ("providers", .array(r.visits.prefix(maxListed).map(visit))),
                    ("provider_visits_not_listed", .int(max(0, r.visits.count - maxListed))),
                    ("windows", .array(r.windows.map(window))),
                ])
            })),
        ])
    }

    static func request(_ o: RequestOutcome) -> JSONValue {
        .object([
            ("number", .int(o.number)), ("status", o.status.map(JSONValue.int) ?? .null),
            ("client_error", o.clientError.map(JSONValue.string) ?? .null),
            ("served_by", o.servedBy.map(JSONValue.string) ?? .null),
            ("last_used_option_index", o.lastUsedOptionIndex.map(JSONValue.string) ?? .null),
            ("retry_attempt_count", o.retryAttemptCount.map(JSONValue.int) ?? .null),
            ("fallback_triggered", .bool(o.fallbackTriggered)), ("stream_complete", o.streamComplete.map(JSONValue.bool) ?? .null),
            ("finish_reason", o.finishReason.map(JSONValue.string) ?? .null), ("stream", o.streamShape.map(JSONValue.string) ?? .null),
            ("ttft_ms", o.ttftMs.map { .double(round3($0)) } ?? .null),
            ("content_tokens", o.contentTokens.map(JSONValue.int) ?? .null), ("usage_present", .bool(o.usagePresent)),
            ("edge_timed_out", .bool(o.edgeTimedOut)), ("client_attempts", .int(o.clientAttempts)),
            ("start_ms", .double(round3(o.startLabMs))), ("lab_ms", .double(round3(o.labMs))),
            ("body_bytes", .int(o.body.utf8.count)), ("body_prefix", .string(o.bodyPrefix)),
        ])
    }

    /// One request as a provider's journal has it, on the scenario's time base.
    static func visit(_ v: ProviderVisit) -> JSONValue {
        .object([("provider", .string(v.provider)), ("at_ms", .double(round3(v.atMs))), ("end_ms", .double(round3(v.endMs))),
                 ("status", v.status.map(JSONValue.int) ?? .null), ("rule", v.rule.map(JSONValue.string) ?? .null), ("what", .string(v.what))])
    }

    /// Requests (and gateway journal entries) listed one by one; a load scenario's
    /// tens of thousands are told by its windows instead.
    public static let maxListed = 1_000

    static func window(_ w: WindowStats) -> JSONValue {
        .object([("from_ms", .double(round3(w.fromMs))), ("to_ms", .double(round3(w.toMs))), ("requests", .int(w.requests)),
                 ("succeeded", .int(w.succeeded)), ("success_rate", .double((w.successRate * 1e6).rounded() / 1e6)),
                 ("hits", .object(w.hits.map { ($0.0, .int($0.1)) })),
                 ("latency_ms", .object([("p50", .double(round3(w.p50Ms))), ("p95", .double(round3(w.p95Ms))),
                                         ("p99", .double(round3(w.p99Ms))), ("max", .double(round3(w.maxMs)))]))])
    }

    static func round3(_ v: Double) -> Double { (v * 1000).rounded() / 1000 }

    public static func junit(_ results: [ScenarioResult], env: LabEnvironment) -> String {
        let failed = results.filter { !$0.passed }.count
        // Lab time: what the scenarios took in the modelled world, the same on every simulated run.
        let total = results.map(\.labMs).reduce(0, +) / 1000
        var out = [#"<?xml version="1.0" encoding="UTF-8"?>"#,
                   #"<testsuites name="lab" tests="\#(results.count)" failures="\#(failed)" errors="0" time="\#(seconds(total))">"#,
                   #"  <testsuite name="\#(xml(env.config.file))" tests="\#(results.count)" failures="\#(failed)" errors="0" skipped="0" time="\#(seconds(total))">"#]
        for r in results {
            out.append(#"    <testcase classname="lab.scenarios" name="\#(xml(r.scenario.name))" time="\#(seconds(r.labMs / 1000))">"#)
            let failures = r.verdicts.filter { !$0.passed }
            if !failures.isEmpty {
                let message = failures.map { "\($0.name): expected \($0.expected), got \($0.actual)" }.joined(separator: "; ")
                out.append(#"      <failure message="\#(xml(message))" type="ExpectationFailed">\#(xml(failures.map { "\($0.name): expected \($0.expected), got \($0.actual)" }.joined(separator: "\n")))</failure>"#)
            }
            let story = r.requests.prefix(20).map { o in
                "request \(o.number): \(o.status.map(String.init) ?? "no answer") served_by=\(o.servedBy ?? "none") index=\(o.lastUsedOptionIndex ?? "-") lab_ms=\(Int(o.labMs))"
            }.joined(separator: "\n")
            out.append("      <system-out>\(xml(r.scenario.title + "\n" + story))</system-out>")
            out.append("    </testcase>")
        }
        out.append("  </testsuite>")
        out.append("</testsuites>")
        return out.joined(separator: "\n") + "\n"
    }

    static func seconds(_ s: Double) -> String { String(format: "%.3f", s) }

    static func xml(_ s: String) -> String {
        var out = ""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "\n", "\t", "\r": out.unicodeScalars.append(scalar)
            default:
                // XML 1.0 forbids most control characters.
                if scalar.value < 0x20 { out += "?" } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out
    }

    /// Whether `path` reaches a file through a process's descriptor table: it lies in a
    /// folder that resolves into `/proc` (`/dev/fd/3`, `/proc/self/fd/1`), or is a link into
    /// it (`/dev/stdout`).
    static func namesADescriptor(_ path: String) -> Bool {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().resolvingSymlinksInPath().path
        if folder == "/proc" || folder.hasPrefix("/proc/") { return true }
        guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: path) else { return false }
        return target.hasPrefix("/proc/")
    }

    /// Writes a report whole or not at all: a temporary file, then a rename. What is not a
    /// file (`/dev/null`, a pipe, a terminal), and a process's own descriptor (`/dev/stdout`
    /// redirected to a file, `/dev/fd/N`), is appended to instead: renaming onto it replaced
    /// the device with a file, which for root broke `/dev/null` for the whole machine, and
    /// `/dev/stdout` resolves to the file the console report is going to. A symbolic link to
    /// a report is followed, so the link stays; a plain file in `/dev/shm` is still replaced.
    /// Adds a report at the end of a file, made when missing: for a file other steps of a
    /// job write to as well, as GitHub's `$GITHUB_STEP_SUMMARY`.
    public static func append(_ text: String, to path: String) throws {
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0o644)
        guard fd >= 0 else { throw CocoaError(.fileWriteNoPermission) }
        let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        try handle.write(contentsOf: Data(text.utf8))
    }

    public static func writeAtomically(_ text: String, to path: String) throws {
        var info = stat()
        let exists = stat(path, &info) == 0
        if exists, info.st_mode & S_IFMT != S_IFREG || namesADescriptor(path) { return try append(text, to: path) }
        let url = URL(fileURLWithPath: path).resolvingSymlinksInPath()
        let dir = url.deletingLastPathComponent()
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let tmp = dir.appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp")
        try Data(text.utf8).write(to: tmp)
        if rename(tmp.path, url.path) != 0 {
            try? FileManager.default.removeItem(at: tmp)
            throw CocoaError(.fileWriteUnknown)
        }
    }
}
