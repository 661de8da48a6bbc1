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
            Start a fake Ollama that real clients cannot tell from the real one:
              lab mock --port 11434 --model llama3 --model nomic-embed-text
            Run the embedded Portkey-compatible gateway alone:
              lab gateway --port 8787
            """,
        subcommands: [RunCommand.self, ListCommand.self, CheckCommand.self, ExplainCommand.self, ServeCommand.self, MockCommand.self, GatewayCommand.self])
}
