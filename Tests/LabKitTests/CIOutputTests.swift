import Foundation
import Testing
import LabCore
@testable import LabKit

@Suite struct CIOutputTests {
    @Test func annotationsEscapeAsGitHubReadsThem() {
        #expect(CIOutput.annotation(file: "labs/a,b.conf", line: 7, title: "lab: x", message: "100% down\nthen up\r")
            == "::error file=labs/a%2Cb.conf,line=7,title=lab%3A x::100%25 down%0Athen up%0D")
        #expect(CIOutput.annotation(file: "c.json", line: nil, title: "t", message: "m") == "::error file=c.json,title=t::m")
    }

    /// The audit's written lab fails one scenario (a hang without request_timeout): its
    /// annotation names that scenario's line, and the summaries say which failed and why.
    @Test func aFailedScenarioIsAnnotatedOnItsLineAndSummarised() throws {
        let text = String(decoding: FileManager.default.contents(atPath: repositoryFile("configs/primary-backup.json"))!, as: UTF8.self)
        let audit = try ConfigAudit(file: "configs/primary-backup.json", config: try JSONParser.parse(text))
        let lab = try LabConfigParser.parse(audit.labConf, file: "audit.conf")
        let env = try LabEnvironment(config: lab)
        defer { env.shutdown() }
        let runner = ScenarioRunner(env: env)
        let results = lab.scenarios.map { runner.run($0) }
        let hangLine = try #require(lab.scenario("host1-hang")?.line)
        #expect(audit.labConf.components(separatedBy: "\n")[hangLine - 1] == "  - name: host1-hang")
        #expect(CIOutput.annotations(results, file: "audit.conf")
            == ["::error file=audit.conf,line=\(hangLine),title=lab%3A scenario host1-hang failed::success_rate.min: expected >= 1.0, got 0/1 = 0.0"])
        let md = CIOutput.markdown(results, file: "audit.conf")
        #expect(md.hasPrefix("### lab run: audit.conf — 12 passed, 1 failed\n\n| | Scenario | Requests | Lab time | What failed |\n|---|---|---|---|---|\n"))
        #expect(md.contains("| ❌ | `host1-hang` portkey-gateway-ollama hangs (accepts, never answers) | 1 | 30.000s | success_rate.min: expected >= 1.0, got 0/1 = 0.0 |\n"))
        #expect(md.contains("| ✅ | `healthy` every host answers | 1 | 1.680s |  |\n"))

        let rows = try audit.run()
        #expect(CIOutput.annotations(audit, rows: rows)
            == ["::error file=configs/primary-backup.json,title=lab audit%3A 1 situation where the client should have had its answer::portkey-gateway-ollama hangs (accepts, never answers): 504 from the route"])
        let table = CIOutput.markdown(audit, rows: rows)
        #expect(table.hasPrefix("### lab audit: configs/primary-backup.json — 1 of 10 failures of one host reach the client\n"))
        #expect(table.contains("| ❌ | portkey-gateway-ollama hangs (accepts, never answers) | 504 from the route | — | portkey-gateway-ollama 1, backup-endpoint 0 | 30.000s |\n"))
    }

    @Test func aCellStaysOneCell() {
        #expect(CIOutput.cell("a | b\nc") == #"a \| b c"#)
        #expect(!CIOutput.cell("x\u{1B}[2J").contains("\u{1B}"))
    }

    @Test func aSummaryIsAppendedToWhatOtherStepsWrote() throws {
        let path = NSTemporaryDirectory() + "lab-summary-\(getpid()).md"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try MachineReports.append("one\n", to: path)
        try MachineReports.append("two\n", to: path)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "one\ntwo\n")
    }
}
