import Testing
import Foundation
import LabCore
import LabHTTP
@testable import LabKit

/// The default suite, in-process: every expectation holds, the same seed gives the
/// same verdicts, and JUnit comes out well-formed.
@Suite(.serialized) struct LabRunTests {
    func runAll(seed: UInt64? = nil, only: [String]? = nil) throws -> (LabEnvironment, [ScenarioResult]) {
        let config = try LabConfigParser.load(defaultLabConf)
        let env = try LabEnvironment(config: config, seed: seed)
        let runner = ScenarioRunner(env: env)
        let scenarios = only.map { names in config.scenarios.filter { names.contains($0.name) } } ?? config.scenarios
        return (env, scenarios.map(runner.run))
    }

    @Test func theDefaultSuitePasses() throws {
        let (env, results) = try runAll()
        defer { env.shutdown() }
        for r in results where !r.passed {
            Issue.record("\(r.scenario.name): \(r.verdicts.filter { !$0.passed }.map { "\($0.name) expected \($0.expected) got \($0.actual)" })")
        }
        #expect(results.count >= 24)
    }

    /// On the simulated clock the whole report is the same, durations included.
    @Test func theSameSeedGivesByteIdenticalReports() throws {
        let (env1, first) = try runAll()
        let a = MachineReports.json(first, env: env1, seed: 42).pretty
        env1.shutdown()
        for _ in 0..<3 {
            let (env2, second) = try runAll()
            let b = MachineReports.json(second, env: env2, seed: 42).pretty
            env2.shutdown()
            #expect(a == b)
        }
        #expect(a.contains("\"clock\": \"simulated\""))
        let (env3, third) = try runAll(seed: 43, only: ["loadbalance-weights"])
        defer { env3.shutdown() }
        let hitsA = first.first { $0.scenario.name == "loadbalance-weights" }!.hits.map(\.1)
        #expect(hitsA != third[0].hits.map(\.1), "another seed should split the 100 requests differently")
    }

    @Test func junitIsWellFormed() throws {
        let (env, results) = try runAll(only: ["simple", "all-fail"])
        defer { env.shutdown() }
        let xml = MachineReports.junit(results, env: env)
        #expect(xml.hasPrefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"lab\" tests=\"2\" failures=\"0\""))
        #expect(xml.contains("<testcase classname=\"lab.scenarios\" name=\"all-fail\""))
        #expect(MachineReports.xml("a<b & \"c\"") == "a&lt;b &amp; &quot;c&quot;")
    }
}

/// Report files: whole or not at all, and never in place of what is not a file.
@Suite struct ReportFileTests {
    func scratch() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("report-files-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test func aPipeIsWrittenThroughNotReplaced() throws {
        // `--json /dev/stdout` or `/dev/null` once renamed a file over the device: as root,
        // /dev/null became a plain file for the whole machine. A FIFO stands in for them.
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let fifo = dir + "/report.fifo"
        #expect(mkfifo(fifo, 0o600) == 0)
        let reader = open(fifo, O_RDONLY | O_NONBLOCK)
        #expect(reader >= 0)
        defer { close(reader) }
        try MachineReports.writeAtomically("{\"ok\":true}\n", to: fifo)
        var buffer = [UInt8](repeating: 0, count: 64)
        let n = read(reader, &buffer, buffer.count)
        #expect(n > 0 && String(decoding: buffer.prefix(max(n, 0)), as: UTF8.self) == "{\"ok\":true}\n")
        var info = stat()
        #expect(lstat(fifo, &info) == 0 && info.st_mode & S_IFMT == S_IFIFO)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["report.fifo"])
    }

    @Test func standardOutputRedirectedToAFileKeepsWhatWasWrittenBefore() throws {
        // `lab run --json /dev/stdout > out.txt`: the console report goes to out.txt first;
        // the JSON follows it instead of replacing the file. /dev/fd/N stands in for stdout.
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let fd = open(dir + "/out.txt", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        #expect(fd >= 0)
        defer { close(fd) }
        #expect(write(fd, "console\n", 8) == 8)
        try MachineReports.writeAtomically("{}\n", to: "/dev/fd/\(fd)")
        #expect(try String(contentsOfFile: dir + "/out.txt", encoding: .utf8) == "console\n{}\n")
    }

    @Test func aFileInDevShmIsStillReplacedWhole() throws {
        // Only a descriptor is appended to; a report kept on a RAM disk under /dev is a file.
        guard FileManager.default.fileExists(atPath: "/dev/shm") else { return }
        let path = "/dev/shm/lab-report-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).json"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try MachineReports.writeAtomically("first\n", to: path)
        try MachineReports.writeAtomically("second\n", to: path)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "second\n")
        #expect(MachineReports.namesADescriptor("/dev/stdout") && MachineReports.namesADescriptor("/dev/fd/1"))
        #expect(!MachineReports.namesADescriptor(path))
    }

    @Test func aLinkToAReportStaysALink() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "old".write(toFile: dir + "/real.json", atomically: false, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: dir + "/latest.json", withDestinationPath: dir + "/real.json")
        try MachineReports.writeAtomically("new", to: dir + "/latest.json")
        #expect(try String(contentsOfFile: dir + "/real.json", encoding: .utf8) == "new")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: dir + "/latest.json") == dir + "/real.json")
        // A new file is still written whole, its folder made.
        try MachineReports.writeAtomically("fresh", to: dir + "/sub/report.json")
        #expect(try String(contentsOfFile: dir + "/sub/report.json", encoding: .utf8) == "fresh")
    }
}

/// The lab's own time budget for a scenario counts the client's retries.
@Suite struct ClientRetryBudgetTests {
    /// One scenario `s` sending to one provider `a` (its `pacing` given) behind a 1 s route.
    func run(pacing: String, _ rest: String) throws -> (runner: ScenarioRunner, scenario: Scenario, result: ScenarioResult) {
        let config = try LabConfigParser.parse("""
            providers:
              a: { pacing: \(pacing) }
            hosts:
              a: a
            edge: { timeout_ms: 1000 }
            scenarios:
              - name: s
                portkey_config: { provider: ollama, custom_host: "http://a:11434" }
            \(rest)
            """, file: "lab.conf")
        let env = try LabEnvironment(config: config)
        defer { env.shutdown() }
        let runner = ScenarioRunner(env: env)
        return (runner, config.scenarios[0], runner.run(config.scenarios[0]))
    }

    @Test func everyRetryTheConfigAllowsIsMade() throws {
        // Before, the budget counted one try per request: 100 retries on a failing gateway
        // were cut off near the 200th lab second and the request told "no answer, ever".
        let result = try run(pacing: "none", """
                faults: { a: [ { fault: { delay_ms: 900, status: 503 } } ] }
                request: { client_retries: 100 }
                expect: { status: 503, hits: { a: 101 } }
            """).result
        #expect(result.passed, "\(result.verdicts.filter { !$0.passed }.map { "\($0.name): \($0.actual)" })")
    }

    /// A stream slower than the lab's budget (each token within the route's idle timeout,
    /// the whole far past it) is cut off, and the request shows how long it waited.
    @Test func aRequestTheLabGaveUpOnShowsItsWait() throws {
        let (runner, scenario, result) = try run(pacing: "{ ttft_ms: 0, tokens_per_second: 1.25 }", """
                request: { stream: true, max_tokens: 1000 }
            """)
        let request = result.requests[0]
        #expect(request.clientError == ScenarioRunner.gaveUp)
        #expect(request.labMs == runner.budgetMs(scenario) && request.startLabMs == 0)
    }
}
