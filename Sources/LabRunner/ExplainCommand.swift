import ArgumentParser
import LabKit

struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Tell what a scenario does and why: each attempt, wait and answer, and the worst case against the route's timeout.",
        discussion: """
            The scenario runs on the simulated clock through the embedded gateway — the same \
            code `lab run` uses — and its journals are told as a story: which targets the \
            gateway tried, what each provider did and which fault rule fired, the backoff and \
            Retry-After waits, a model's load and a wait for a generation slot, and the \
            answer. A scenario of more than five requests is told by its first two and the \
            first that ended otherwise (most often the first failure), then counted. When \
            the route's timeout cut a request off, the scenario runs again without that \
            timeout to show what the gateway would have needed ("the gateway needs 32.1 s > \
            route timeout 30.0 s").

            With --gateway URL it also runs the scenario through that gateway on the real \
            clock and sets every fact beside the simulated one: status, target, retry count, \
            the route's 504, hits, what each provider saw, latency. A difference is flagged: \
            the embedded gateway does not do what that gateway does.

            Exit status: 0 when the scenario's expectations hold (and, with --gateway, nothing \
            differs), 1 otherwise, 2 on a usage or lab.conf error.

            Examples:
              lab explain retries-past-the-edge
              lab explain hang-without-timeout --gateway http://127.0.0.1:8787
            """)

    @OptionGroup var config: ConfigOptions

    @Argument(help: "The scenario to explain (`lab list` shows them).")
    var scenario: String

    @Option(help: "Seed (default: lab.conf's).")
    var seed: UInt64?

    @Option(help: "Also run the scenario through this running gateway (real clock) and flag every difference.")
    var gateway: String?

    func validate() throws {
        try checkSeed(seed)
        if let g = gateway, !g.hasPrefix("http://") { throw ValidationError("--gateway takes the http:// URL of a running gateway, got \(g)") }
    }

    func run() throws {
        let lab = try config.load()
        let matching = try config.select([scenario], in: lab)
        guard matching.count == 1, let s = matching.first else {
            Console.err("error: '\(scenario)' matches \(matching.count) scenarios (\(matching.map(\.name).joined(separator: ", "))); explain takes one")
            throw ExitCode(2)
        }
        let report = ConsoleReport(color: Terminal.colorOnStdout)
        Console.out(report.rule)
        Console.out("EXPLAIN \(s.name): \(s.title)")
        Console.out(report.rule)
        let simulated: ScenarioResult
        let lines: [String]
        do {
            (simulated, lines) = try Explanation.simulate(s, config: lab, seed: seed)
        } catch {
            Console.err("error: cannot start the lab: \(error)")
            throw startFailure(error)
        }
        Console.out("\nWhat happens, on the simulated clock (lab time from the request):")
        for line in lines { Console.out("  " + line) }
        if !simulated.verdicts.isEmpty {
            Console.out("\nExpectations:")
            for v in simulated.verdicts {
                Console.out("  \(v.passed ? "✔" : "✘") " + (v.passed ? "\(v.name) = \(v.expected)" : "\(v.name): expected \(v.expected), got \(v.actual.terminalSafe)"))
            }
        }
        var differs = false
        if let gateway {
            let real: ScenarioResult
            do {
                let env = try LabEnvironment(config: lab, seed: seed, gatewayOverride: gateway)
                defer { env.shutdown() }
                real = ScenarioRunner(env: env).run(s)
            } catch {
                Console.err("error: cannot start the lab: \(error)")
                throw startFailure(error)
            }
            let checks = FidelityCheck.compare(simulated: simulated, real: real)
            differs = checks.contains { !$0.agrees }
            Console.out("\nSimulated (embedded gateway) and real (\(gateway), real clock):")
            let width = checks.map(\.what.count).max() ?? 10
            for c in checks {
                let mark = c.agrees ? "✔" : "✘ DIFFERS"
                Console.out("  \(c.what.padding(toLength: width, withPad: " ", startingAt: 0))  simulated \(c.simulated.count >= 22 ? c.simulated + " " : c.simulated.padding(toLength: 22, withPad: " ", startingAt: 0)) real \(c.real)   \(mark)")
            }
        }
        if let note = s.note { Console.out("\nWhy: \(note)") }
        if differs || !simulated.passed { throw ExitCode(1) }
    }
}
