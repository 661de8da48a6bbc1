import ArgumentParser
import LabKit

struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the scenarios in lab.conf with their titles.")

    @OptionGroup var config: ConfigOptions

    @Argument(help: "Only these scenarios, by name or shell pattern (`lab list 'stream-*'`).")
    var scenarios: [String] = []

    func run() throws {
        let lab = try config.load()
        let listed = try config.select(scenarios, in: lab)
        let width = listed.map(\.name.count).max() ?? 0
        for s in listed {
            let n = s.requests.count
            Console.out("\(s.name.padding(toLength: width, withPad: " ", startingAt: 0))  \(s.title)\(n > 1 ? " (\(n) requests)" : "")")
        }
    }
}
