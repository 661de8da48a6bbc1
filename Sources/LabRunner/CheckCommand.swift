import ArgumentParser
import LabKit

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate lab.conf and every Portkey config in it (errors as file:line).",
        discussion: "Exit status 0 when everything is valid, 2 otherwise.")

    @OptionGroup var config: ConfigOptions

    func run() throws {
        let lab = try config.load()
        let rules = lab.scenarios.reduce(0) { $0 + $1.faults.values.reduce(0) { $0 + $1.count } } + lab.providers.reduce(0) { $0 + $1.faults.count }
        func count(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }
        Console.out("\(lab.file): OK — \(count(lab.providers.count, "provider")), \(count(lab.hosts.count, "host name")), \(count(lab.scenarios.count, "scenario")), \(count(rules, "fault rule")); every Portkey config passes the gateway's validation.")
        // Not errors: a model a provider lacks is a scenario's point as often as a typo.
        for gap in ModelCoverage.gaps(lab) {
            Console.out("  note: \(gap.scenario.terminalSafe): \(gap.target) sends \(gap.provider.terminalSafe) model \(gap.model.terminalSafe), which it does not serve: it will answer 404.")
        }
    }
}
