import ArgumentParser
import LabKit

struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the scenarios in lab.conf with their titles.")

    @OptionGroup var config: ConfigOptions

    func run() throws {
        let lab = try config.load()
        let width = lab.scenarios.map(\.name.count).max() ?? 0
        for s in lab.scenarios {
            let n = s.requests.count
            Console.out("\(s.name.padding(toLength: width, withPad: " ", startingAt: 0))  \(s.title)\(n > 1 ? " (\(n) requests)" : "")")
        }
    }
}

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate lab.conf and every Portkey config in it (errors as file:line).",
        discussion: "Exit status 0 when everything is valid, 2 otherwise.")

    @OptionGroup var config: ConfigOptions

    func run() throws {
        let lab = try config.load()
        let rules = lab.scenarios.reduce(0) { $0 + $1.faults.values.reduce(0) { $0 + $1.count } } + lab.providers.reduce(0) { $0 + $1.faults.count }
        Console.out("\(lab.file): OK — \(lab.providers.count) providers, \(lab.hosts.count) host names, \(lab.scenarios.count) scenarios, \(rules) fault rules; every Portkey config passes the gateway's validation.")
    }
}
