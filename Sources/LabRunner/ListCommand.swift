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
