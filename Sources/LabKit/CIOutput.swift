/// What CI systems read besides JUnit: GitHub Actions' annotations, shown on the file
/// and line they name in a pull request, and a Markdown summary for a job's page. Pure.
public enum CIOutput {
    /// A workflow command: `::error file=lab.conf,line=42,title=…::message`.
    public static func annotation(file: String, line: Int?, title: String, message: String) -> String {
        var properties = ["file=\(property(file))"]
        if let line { properties.append("line=\(line)") }
        properties.append("title=\(property(title))")
        return "::error \(properties.joined(separator: ","))::\(data(message))"
    }

    /// One annotation per failed scenario, on its line of lab.conf.
    public static func annotations(_ results: [ScenarioResult], file: String) -> [String] {
        results.filter { !$0.passed }.map { r in
            annotation(file: file, line: r.scenario.line, title: "lab: scenario \(r.scenario.name) failed",
                       message: failures(r).joined(separator: "\n"))
        }
    }

    /// One annotation per config file whose failures reach the client.
    public static func annotations(_ audit: ConfigAudit, rows: [AuditRow]) -> [String] {
        let fallen = rows.filter { $0.survived == false }
        guard !fallen.isEmpty else { return [] }
        return [annotation(file: audit.file, line: nil, title: "lab audit: \(fallen.count) situation\(fallen.count == 1 ? "" : "s") where the client should have had its answer",
                           message: fallen.map { "\($0.situation.when): \(AuditReport.explained($0))" }.joined(separator: "\n"))]
    }

    /// `lab run`'s results as a Markdown section: a line per scenario, what failed.
    public static func markdown(_ results: [ScenarioResult], file: String) -> String {
        let failed = results.filter { !$0.passed }.count
        var out = "### lab run: \(cell(file)) — \(results.count - failed) passed, \(failed) failed\n\n"
        out += "| | Scenario | Requests | Lab time | What failed |\n|---|---|---|---|---|\n"
        for r in results {
            out += "| \(r.passed ? "✅" : "❌") | `\(r.scenario.name)` \(cell(r.scenario.title)) | \(r.requests.count) | \(ConsoleReport.seconds(r.labMs)) | \(cell(failures(r).joined(separator: "; "))) |\n"
        }
        return out + "\n"
    }

    /// `lab audit`'s table as a Markdown section.
    public static func markdown(_ audit: ConfigAudit, rows: [AuditRow]) -> String {
        let tally = AuditTally(rows)
        let (fallen, single) = (tally.fallen.count, tally.tested.count)
        var verdict = single == 0 ? "one host only" : fallen == 0 ? "every failure of one host survived" : "\(fallen) of \(single) failures of one host reach the client"
        if tally.healthyFailed { verdict = "fails with every host answering; " + verdict }
        var out = "### lab audit: \(cell(audit.file)) — \(verdict)\n\n"
        out += "| | When | Client gets | Served by | Requests each host saw | Longest |\n|---|---|---|---|---|---|\n"
        for row in rows {
            let mark = row.survived.map { $0 ? "✅" : "❌" } ?? ""
            let served = row.servedBy.isEmpty ? "—" : AuditReport.list(row.servedBy.map { ($0.path, $0.count) })
            out += "| \(mark) | \(cell(row.situation.when)) | \(cell(AuditReport.list(row.outcomes))) | \(cell(served)) | \(cell(row.tries.map { "\($0.host) \($0.count)" }.joined(separator: ", "))) | \(ConsoleReport.seconds(row.longestMs)) |\n"
        }
        return out + "\n"
    }

    static func failures(_ r: ScenarioResult) -> [String] {
        r.verdicts.filter { !$0.passed }.map { v in
            (v.request.map { "request \($0): " } ?? "") + "\(v.name): expected \(v.expected), got \(v.actual)"
        }
    }

    /// GitHub's escaping of a command's message.
    static func data(_ s: String) -> String {
        s.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "\r", with: "%0D").replacingOccurrences(of: "\n", with: "%0A")
    }

    /// …and of its properties, where `:` and `,` separate.
    static func property(_ s: String) -> String {
        data(s).replacingOccurrences(of: ":", with: "%3A").replacingOccurrences(of: ",", with: "%2C")
    }

    /// Text in a table cell: one line, its pipes escaped, control characters shown.
    static func cell(_ s: String) -> String {
        s.replacingOccurrences(of: "\n", with: " ").terminalSafe.replacingOccurrences(of: "|", with: "\\|")
    }
}
