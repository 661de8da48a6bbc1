import ArgumentParser
import Glibc
import LabCore
import LabKit

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run scenarios from lab.conf and check their expectations.",
        discussion: """
            Starts the mock providers, the gateway (embedded unless lab.conf or --gateway names a \
            real one) and the edge route, sends each scenario's requests with its Portkey config, \
            and prints what happened: the target that served, the hits on each provider, \
            statuses, latencies and every expectation's verdict.

            With the embedded gateway the run is on the simulated clock: the real code \
            exchanges real HTTP bytes, but time jumps to the next deadline, so a 30 s \
            route timeout takes no wall time and the same seed gives the same --json \
            report, byte for byte, on any machine.

            Under GitHub Actions (GITHUB_ACTIONS=true) each failed scenario is also an \
            annotation on its line of lab.conf.

            Exit status: 0 when every expectation held, 1 when one failed, 2 when lab.conf or \
            the arguments are wrong.

            Examples:
              lab run                             # every scenario
              lab run simple hang-without-timeout # just these
              lab run 'stream-*' '*-429*'         # shell patterns (quoted)
              lab run --clock real                # wall time: a 30 s timeout takes 30 s
              lab run --clock real --time-scale 0.1   # wall time, 10x faster
              lab run --junit reports/junit.xml --json reports/verdicts.json
              lab run --html reports/lab.html     # a timeline of every scenario
              lab run --markdown "$GITHUB_STEP_SUMMARY"   # a table on the GitHub job's page
              lab run --gateway http://127.0.0.1:8787   # against a running Portkey gateway
            """)

    @OptionGroup var config: ConfigOptions

    @Argument(help: "Scenarios to run, by name or shell pattern (default: all). `lab list` shows them.")
    var scenarios: [String] = []

    @Option(help: "Seed for fault schedules, loadbalance draws and generated text (default: lab.conf's).")
    var seed: UInt64?

    @Option(help: "simulated (default with the embedded gateway: virtual time, exact and instant, the same on every run) or real (wall time).")
    var clock: ClockChoice?

    @Option(name: .customLong("time-scale"), help: "On the real clock: wall ms per lab ms (0.01 runs 100x faster; default: lab.conf's time_scale, else 1).")
    var timeScale: Double?

    @Option(help: "embedded, or the URL of a running Portkey gateway.")
    var gateway: String?

    @Option(help: "Write the verdicts as JSON to this file.")
    var json: String?

    @Option(help: "Write JUnit XML (for CI) to this file.")
    var junit: String?

    @Option(help: "Write a self-contained HTML report with a timeline per scenario to this file.")
    var html: String?

    @Option(help: "Append a Markdown summary to this file (made when missing): lab run --markdown \"$GITHUB_STEP_SUMMARY\" puts it on a GitHub Actions job's page.")
    var markdown: String?

    func validate() throws {
        try checkSeed(seed)
        if let t = timeScale { try checkTimeScale(t) }
        if timeScale != nil, clock == .simulated { throw ValidationError("--time-scale applies to the real clock only; the simulated clock takes no time at all") }
        if let g = gateway, g != "embedded", !g.hasPrefix("http://") {
            throw ValidationError("--gateway takes embedded or an http:// URL, got \(g)")
        }
    }

    func run() throws {
        var lab = try config.load()
        let selected = try config.select(scenarios, in: lab)
        if gateway == "embedded" { lab.gatewayURL = nil }
        let external = gateway == "embedded" ? nil : (gateway ?? lab.gatewayURL)
        if let external {
            Console.out("Gateway: \(external) (a real gateway).")
            Console.out("  Host names in the configs are rewritten to 127.0.0.1 ports, which a Portkey gateway accepts")
            Console.out("  as custom_host without TRUSTED_CUSTOM_HOSTS; 'unreachable: dns' hosts become names under .example, which never resolve.")
            if clock == .simulated || timeScale.map({ $0 != 1 }) ?? (lab.timeScale != 1) {
                Console.out("  A real gateway keeps its own time: running on the real clock, unscaled.")
            }
        }
        let env: LabEnvironment
        do {
            env = try LabEnvironment(config: lab, clock: LabEnvironment.clock(for: lab, choice: clock, timeScale: timeScale, external: external != nil),
                                     seed: seed, gatewayOverride: external)
        } catch {
            Console.err("error: cannot start the lab: \(error)")
            throw startFailure(error)
        }
        defer { env.shutdown() }
        var report = ConsoleReport(color: Terminal.colorOnStdout)
        report.overheadNote = ConsoleReport.overheadNote(env.clock)
        let runner = ScenarioRunner(env: env)
        var results: [ScenarioResult] = []
        for (i, scenario) in selected.enumerated() {
            let many = scenario.requests.count > 1
            if many && Terminal.isInteractive {
                runner.progress = { done, total in
                    if done == total || done % max(1, total / 20) == 0 { Console.partial("\r  \(scenario.name): \(done)/\(total) requests") }
                }
            } else {
                runner.progress = nil
            }
            let result = runner.run(scenario)
            if many && Terminal.isInteractive { Console.partial("\r\u{1B}[2K") }
            results.append(result)
            Console.out(report.header(result, number: i + 1, env: env))
            if let plan = scenario.load {
                Console.out("\nSending \(scenario.requests.count) requests, \(plan.ratePerSecond) a second for \(ConsoleReport.clockText(plan.durationS * 1000)) of lab time...")
            } else if scenario.requests.count > 1 {
                Console.out("\nSending \(scenario.requests.count) requests\(scenario.concurrency > 1 ? ", \(scenario.concurrency) at a time" : "")...")
            }
            for o in result.requests.prefix(scenario.requests.count <= 10 ? 10 : 3) {
                Console.out(report.requestLines(o, of: result.requests.count, expect: scenario.expect))
            }
            if scenario.requests.count > 10 { Console.out("\n  ... and \(scenario.requests.count - 3) more") }
            if scenario.requests.count > 1 { Console.out(report.statistics(result)) }
            if !result.windows.isEmpty { Console.out(report.windows(result)) }
            Console.out(report.footer(result))
        }
        Console.out(report.summary(results, env: env))
        let usedSeed = seed ?? lab.seed
        do {
            if let json { try MachineReports.writeAtomically(MachineReports.json(results, env: env, seed: usedSeed).pretty + "\n", to: json) }
            if let junit { try MachineReports.writeAtomically(MachineReports.junit(results, env: env), to: junit) }
            if let html { try MachineReports.writeAtomically(HTMLReport.render(results, env: env), to: html) }
            if let markdown { try MachineReports.append(CIOutput.markdown(results, file: lab.file), to: markdown) }
        } catch {
            Console.err("error: cannot write a report: \(error)")
            throw ExitCode(1)
        }
        if GitHubActions.running { for line in CIOutput.annotations(results, file: lab.file) { Console.out(line) } }
        if results.contains(where: { !$0.passed }) { throw ExitCode(1) }
    }
}

extension ClockChoice: ExpressibleByArgument {}
