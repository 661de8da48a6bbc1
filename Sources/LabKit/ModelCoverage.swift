import Gateway
import LabCore
import LabHTTP

/// Where a lab's scenarios send a fake provider a model it does not serve. The fake then
/// answers its vendor's 404 — the point of a scenario about a retired model or a host
/// that never pulled one, and otherwise a typo that reads as an outage at run time.
/// `lab check` says each. Pure.
public enum ModelCoverage {
    public struct Gap: Equatable, Sendable {
        public var scenario: String
        /// `config.targets[1]`.
        public var target: String
        public var provider: String
        public var model: String
    }

    public static func gaps(_ config: LabConfig) -> [Gap] {
        var out: [Gap] = []
        for scenario in config.scenarios {
            for path in ConfigAudit.leafPaths(scenario.target) {
                guard let inherited = scenario.target.resolved(at: path) else { continue }
                let pinned = inherited.overrideParams.last { $0.0 == "model" }?.1.stringValue
                for request in scenario.requests {
                    // A request's x-portkey-custom-host beats every target's host, as on the gateway.
                    let header = request.headers.last { $0.0.lowercased() == "x-portkey-custom-host" }?.1
                    guard let host = (header ?? inherited.customHost).flatMap(URLParts.init)?.host.lowercased(),
                          case .provider(let name)? = config.hosts[host],
                          let provider = config.providers.first(where: { $0.name == name }) else { continue }
                    // The gateway sends the config's model when it pins one, else the client's.
                    let model = pinned ?? request.body["model"]?.stringValue ?? "llama3"
                    let gap = Gap(scenario: scenario.name, target: path, provider: name, model: model)
                    if !serves(provider, model), !out.contains(gap) { out.append(gap) }
                }
            }
        }
        return out
    }

    /// A fake Ollama matches names as Ollama does (`llama3` is `llama3:latest`); a fake
    /// OpenAI or Anthropic answers to the ids exactly as listed.
    static func serves(_ provider: ProviderConfig, _ model: String) -> Bool {
        guard provider.api == .ollama else { return provider.modelIDs.contains(model) }
        return ModelName(model).map(provider.models.contains) ?? false
    }
}
