import Foundation
import PackagePlugin

/// Lists FaultInjector's fault kinds and schedule conditions at build time, so adding
/// one is its own file under `Faults/` or `Schedules/` and nothing else: Swift has no
/// load-time registration, and a hand-kept list is a second place to forget.
@main
struct FaultCatalogueGenerator: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        guard let module = target as? SourceModuleTarget else { return [] }
        let inputs = module.sourceFiles(withSuffix: "swift").map(\.url)
            .filter { ["Faults", "Schedules"].contains($0.deletingLastPathComponent().lastPathComponent) }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        let output = context.pluginWorkDirectoryURL.appending(path: "FaultCatalogue+Kinds.swift")
        return [.buildCommand(displayName: "Listing fault kinds and schedules of \(target.name)",
                              executable: try context.tool(named: "CatalogueScanner").url,
                              arguments: [output.path] + inputs.map(\.path),
                              inputFiles: inputs, outputFiles: [output])]
    }
}
