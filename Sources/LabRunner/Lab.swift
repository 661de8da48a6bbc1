import ArgumentParser

@main
struct Lab: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lab",
        abstract: "The fault lab for LLM gateways: fake Ollama providers, injected faults, and a Portkey-compatible gateway, all offline and deterministic.",
        discussion: """
            Start a fake Ollama that real clients cannot tell from the real one:
              lab mock --port 11434 --model llama3 --model nomic-embed-text
            """,
        subcommands: [MockCommand.self, GatewayCommand.self])
}
