import ArgumentParser
import Foundation
import LabCore
import LabKit

struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Put a Portkey config file through every failure of its hosts, with no lab.conf to write.",
        discussion: """
            Reads a Portkey config as it is (the JSON you deploy), checks it as the gateway \
            would, fakes each host it names (by its vendor: ollama, openai or anthropic) and \
            runs it through the embedded gateway, behind the route's timeout, on the \
            simulated clock: every host healthy; each host in turn answering 503, answering \
            429, hanging, resetting the connection, not having the model (its vendor's 404) \
            (with --stream also cutting its stream \
            after three chunks); then every host answering 503 and every \
            host hanging. For each: what the client got, which target served, the requests \
            each host saw (retries included) and the longest wait.

            A failure of one host that reaches the client while another host could have \
            answered is marked ✗ — a hang without request_timeout that the route turns into \
            a 504 before fallback, on_status_codes that leave a status out, a loadbalance \
            without a fallback, a fallback that refuses what the primary takes — and listed \
            with the error the client was told. So is a config that fails with every host \
            answering. A target without custom_host is faked at its vendor's own host name.

            Under GitHub Actions (GITHUB_ACTIONS=true) a config whose failures reach the \
            client is also an annotation on its file; --markdown "$GITHUB_STEP_SUMMARY" puts \
            the tables on the job's page.

            Exit status: 0 when every host answering serves the client and every failure of \
            one host is survived (or the config has one host), 1 otherwise, 2 when a file \
            cannot be read or the gateway would refuse the config (the other files are \
            audited all the same).

            Examples:
              lab audit configs/primary-backup.json
              lab audit prod/*.json --edge-timeout-ms 60000 --json audit.json
              lab audit configs/openai-anthropic.json --stream
              lab audit configs/openai-anthropic.json --request my-request.json
              lab audit configs/primary-backup.json --write-lab audit.conf
              lab explain host1-hang --config audit.conf
            """)

    @Argument(help: "Portkey config JSON files.")
    var files: [String]

    @Option(name: .customLong("edge-timeout-ms"), help: "Milliseconds after which the route in front of the gateway answers 504 (OpenShift's default is 30000).")
    var edgeTimeoutMs = 30_000

    @Option(help: "The model the client asks for (a target's override_params.model wins).")
    var model = "llama3"

    @Flag(help: "Stream the requests, and add a situation per host: its stream cut after three chunks, too late to fall back.")
    var stream = false

    @Option(help: "x-portkey-metadata to send (a JSON object), for a conditional route: --metadata '{\"tier\": \"pro\"}'.")
    var metadata: String?

    @Option(help: ArgumentHelp("The request to send, as your client sends it: a JSON file of chat params (messages, max_tokens, temperature, tools, response_format…). A fallback to another vendor may refuse what the primary takes; with response_format an answer counts only when its content is JSON.", valueName: "file"))
    var request: String?

    @Option(help: "Requests per situation (default 1, or 20 when a loadbalance draws; raise it for a target of small weight).")
    var requests: Int?

    @Option(help: "Seed for loadbalance draws and generated text.")
    var seed: UInt64 = 42

    @Option(help: "Write every file's audit as JSON to this file.")
    var json: String?

    @Option(help: "Append a Markdown table per file to this file (made when missing), such as $GITHUB_STEP_SUMMARY.")
    var markdown: String?

    @Option(name: .customLong("write-lab"), help: "Write the lab the audit runs as a lab.conf (one config file only): lab run, explain and --html then work on it, and each situation owed an answer expects success.")
    var writeLab: String?

    func validate() throws {
        try checkSeed(seed)
        if files.isEmpty { throw ValidationError("name at least one Portkey config file: lab audit configs/primary-backup.json") }
        if writeLab != nil, files.count > 1 { throw ValidationError("--write-lab writes the lab of one config file; name one") }
        if let requests, !(1...ConfigAudit.maxRequests).contains(requests) {
            throw ValidationError("--requests must be from 1 to \(ConfigAudit.maxRequests), got \(requests)")
        }
        if model.isEmpty { throw ValidationError("--model takes a model name, such as llama3") }
        guard (1...ConfigReader.maxMs).contains(edgeTimeoutMs) else {
            throw ValidationError("--edge-timeout-ms must be from 1 to \(ConfigReader.maxMs), got \(edgeTimeoutMs)")
        }
    }

    func run() throws {
        var meta: JSONValue?
        if let metadata {
            do {
                meta = try JSONParser.parse(metadata)
            } catch {
                Console.err("error: --metadata is not valid JSON: \(error.message)")
                throw ExitCode(2)
            }
            guard case .object? = meta else {
                Console.err("error: --metadata must be a JSON object, such as {\"tier\": \"pro\"}")
                throw ExitCode(2)
            }
        }
        var body: JSONValue?
        if let request {
            guard let data = FileManager.default.contents(atPath: request) else {
                Console.err("error: --request \(request.terminalSafe): cannot read it")
                throw ExitCode(2)
            }
            do {
                body = try JSONParser.parse(Array(data))
            } catch {
                Console.err("error: --request \(request.terminalSafe) is not valid JSON (\(Self.place(of: error.offset, in: Array(data)))): \(error.message)")
                throw ExitCode(2)
            }
            do {
                try ConfigAudit.check(request: body!)
            } catch {
                Console.err("error: --request \(request.terminalSafe): \(error)")
                throw ExitCode(2)
            }
        }
        var reports: [JSONValue] = []
        var audits: [ConfigAudit] = []
        var summaries: [String] = []
        var unsurvived = false
        var refused = false
        for (i, file) in files.enumerated() {
            let audit: ConfigAudit
            do {
                guard let data = FileManager.default.contents(atPath: file) else { throw ConfigAudit.Refusal(message: "cannot read it") }
                let config: JSONValue
                do {
                    config = try JSONParser.parse(Array(data))
                } catch {
                    throw ConfigAudit.Refusal(message: "not valid JSON (\(Self.place(of: error.offset, in: Array(data)))): \(error.message)")
                }
                audit = try ConfigAudit(file: file, config: config, model: model, stream: stream, metadata: meta, request: body,
                                        requests: requests, edgeTimeoutMs: edgeTimeoutMs, seed: seed)
            } catch {
                // The other files are still audited: a CI job sees every file's verdict.
                Console.err("error: \(file.terminalSafe): \(error)")
                reports.append(.object([("file", .string(file)), ("error", .string("\(error)"))]))
                refused = true
                continue
            }
            let rows: [AuditRow]
            do {
                rows = try audit.run()
            } catch {
                Console.err("error: cannot start the lab: \(error)")
                throw ExitCode(1)
            }
            if i > 0 { Console.out("") }
            for line in AuditReport.render(audit, rows: rows, writtenLab: writeLab) { Console.out(line) }
            reports.append(AuditReport.json(audit, rows: rows))
            summaries.append(CIOutput.markdown(audit, rows: rows))
            if GitHubActions.running { for line in CIOutput.annotations(audit, rows: rows) { Console.out(line) } }
            audits.append(audit)
            unsurvived = unsurvived || rows.contains { $0.survived == false }
        }
        do {
            if let json { try MachineReports.writeAtomically(JSONValue.array(reports).pretty + "\n", to: json) }
            if let markdown { try MachineReports.append(summaries.joined(), to: markdown) }
            if let writeLab, let audit = audits.first {
                try MachineReports.writeAtomically(audit.labConf, to: writeLab)
                Console.out("\nWrote \(writeLab.terminalSafe): lab run --config \(writeLab.terminalSafe) runs it; lab explain NAME --config \(writeLab.terminalSafe) tells a situation attempt by attempt.")
            }
        } catch {
            Console.err("error: cannot write a report: \(error)")
            throw ExitCode(1)
        }
        if refused { throw ExitCode(2) }
        if unsurvived { throw ExitCode(1) }
    }

    /// `line 3, column 5` of a byte offset.
    static func place(of offset: Int, in bytes: [UInt8]) -> String {
        var line = 1, column = 1
        for b in bytes.prefix(offset) {
            if b == 10 { line += 1; column = 1 } else if b & 0xC0 != 0x80 { column += 1 }
        }
        return "line \(line), column \(column)"
    }
}
