import Foundation
import ArgumentParser

@main
struct Lab: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lab",
        abstract: "The fault lab for LLM gateways: fake Ollama providers, injected faults, and a Portkey-compatible gateway, all offline and deterministic.",
        discussion: """
            Run the scenario suite in lab.conf (exit 0 when every expectation held):
              lab run
            See what a scenario does, or check a lab.conf:
              lab list; lab check --config my-lab.conf
            Put your own Portkey config through every failure of its hosts:
              lab audit my-portkey-config.json
            Start a fake Ollama that real clients cannot tell from the real one:
              lab mock --port 11434 --model llama3 --model nomic-embed-text
            Run the embedded Portkey-compatible gateway alone:
              lab gateway --port 8787
            """,
        subcommands: [RunCommand.self, ListCommand.self, CheckCommand.self, ExplainCommand.self, AuditCommand.self, ServeCommand.self, MockCommand.self, GatewayCommand.self])

    /// One exit status for every usage error, 2 (the parser's own is 64), so a script
    /// tells "you asked wrongly" (2) from "an expectation failed" (1) the same way always.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            if exitCode(for: error).rawValue == 64 {
                let message = fullMessage(for: error)
                FileHandle.standardError.write(Data((message + "\n").utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}
