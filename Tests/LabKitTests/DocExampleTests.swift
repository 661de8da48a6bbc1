import Testing
import Foundation
import LabCore
@testable import LabKit

/// Every `# runs:` example of docs/lab-conf.md is a whole lab.conf whose expectations hold.
@Suite struct DocExampleTests {
    static func examples() throws -> [(name: String, text: String)] {
        let doc = try String(contentsOfFile: repositoryFile("docs/lab-conf.md"), encoding: .utf8)
        return doc.components(separatedBy: "```yaml\n# runs: ").dropFirst().map { block in
            let name = String(block.prefix { $0 != "\n" })
            let text = block.components(separatedBy: "```").first!.drop { $0 != "\n" }
            return (name, String(text))
        }
    }

    @Test func theDocHasItsExamples() throws {
        #expect(try Self.examples().map(\.name) == ["context-window", "backoff", "stream-shape", "outage-schedule", "prefill"])
    }

    @Test(arguments: try! DocExampleTests.examples().map(\.name))
    func example(_ name: String) throws {
        let text = try Self.examples().first { $0.name == name }!.text
        let config = try LabConfigParser.parse(text, file: "docs/lab-conf.md#\(name)")
        let env = try LabEnvironment(config: config)
        defer { env.shutdown() }
        let runner = ScenarioRunner(env: env)
        for s in config.scenarios {
            let r = runner.run(s)
            #expect(r.verdicts.count >= 2)
            for v in r.verdicts where !v.passed { Issue.record("\(name)/\(s.name): \(v.name) expected \(v.expected), got \(v.actual)") }
        }
    }
}
