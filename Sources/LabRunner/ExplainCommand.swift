import ArgumentParser
import LabKit

struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Predict what a scenario will do from its config and faults, then run it and compare.",
        discussion: """
            The prediction walks the Portkey config with the gateway's own rules and asks each \
            provider's fault rules what it will answer: which targets are tried, the retries and \
            waits, and the total time against the route's timeout ("worst case 37 s > route \
            timeout 30 s: the client will see 504 before fallback"). Then the scenario runs, and \
            each predicted fact is set beside the observed one; a difference is flagged.

            Exit status: 0 when prediction and observation agree, 1 when they differ, 2 on a \
            usage or lab.conf error.

            Example:
              lab explain retries-past-the-edge
            """)

    @OptionGroup var config: ConfigOptions

    @Argument(help: "The scenario to explain (`lab list` shows them).")
    var scenario: String

    @Option(help: "Seed (default: lab.conf's).")
    var seed: UInt64?

    func run() throws {
        let lab = try config.load()
        guard let s = lab.scenario(scenario) else {
            Console.err("error: no scenario named '\(scenario)' in \(lab.file). Known: \(lab.scenarios.map(\.name).joined(separator: ", "))")
            throw ExitCode(2)
        }
        if lab.gatewayURL != nil { Console.out("note: explaining against the embedded gateway (lab.conf names a real one).") }
        var embedded = lab
        embedded.gatewayURL = nil
        let prediction: ScenarioPrediction
        do {
            prediction = try Predictor(config: embedded, seed: seed).predict(s)
        } catch {
            Console.err("error: cannot predict '\(s.name)': \(error)")
            throw ExitCode(2)
        }
        let report = ConsoleReport(color: Terminal.colorOnStdout)
        Console.out(report.rule)
        Console.out("EXPLAIN \(s.name): \(s.title)")
        Console.out(report.rule)
        Console.out("\nPrediction, from the config and the faults (lab time):")
        for line in Explanation.narrative(prediction, edgeTimeoutMs: lab.edgeTimeoutMs) { Console.out("  " + line) }
        let env: LabEnvironment
        do {
            env = try LabEnvironment(config: embedded, clock: .simulated(embedded.network), seed: seed)
        } catch {
            Console.err("error: cannot start the lab: \(error)")
            throw ExitCode(1)
        }
        defer { env.shutdown() }
        let result = ScenarioRunner(env: env).run(s)
        Console.out("\nPrediction and observation:")
        let checks = Explanation.compare(prediction, result)
        let width = checks.map(\.what.count).max() ?? 10
        for c in checks {
            let mark = c.agrees ? "✔" : "✘ DIFFERS"
            Console.out("  \(c.what.padding(toLength: width, withPad: " ", startingAt: 0))  predicted \(c.predicted.padding(toLength: 22, withPad: " ", startingAt: 0)) observed \(c.observed)   \(mark)")
        }
        if let note = s.note { Console.out("\nWhy: \(note)") }
        if checks.contains(where: { !$0.agrees }) { throw ExitCode(1) }
    }
}
