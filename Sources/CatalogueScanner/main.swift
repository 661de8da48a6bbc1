import Foundation

// Writes the list of types in the given Swift files that conform to `FaultKind` or
// `ScheduleCondition`, as FaultCatalogue's `kinds` and `conditions`. Run by the
// FaultCatalogueGenerator build plugin: `CatalogueScanner OUTPUT FILE...`.

let arguments = CommandLine.arguments.dropFirst()
guard let output = arguments.first else {
    FileHandle.standardError.write(Data("usage: CatalogueScanner OUTPUT FILE...\n".utf8))
    exit(2)
}

/// `public struct SlowFault: FaultKind {` → ("SlowFault", ["FaultKind"]): declarations at
/// the start of a line only, so comments and nested types do not count.
func declarations(in text: String) -> [(name: String, conformances: [String])] {
    var out: [(String, [String])] = []
    for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
        var words = line.split(whereSeparator: { $0 == " " || $0 == "\t" })[...]
        while let w = words.first, ["public", "final", "package", "internal"].contains(w) { words = words.dropFirst() }
        guard let kind = words.first, kind == "struct" || kind == "class" || kind == "enum", words.count >= 2 else { continue }
        let rest = words.dropFirst().joined(separator: " ")
        guard let colon = rest.firstIndex(of: ":") else { continue }
        let name = rest[..<colon].trimmingCharacters(in: .whitespaces)
        let list = rest[rest.index(after: colon)...].prefix { $0 != "{" && $0 != "<" }
        out.append((name, list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }))
    }
    return out
}

var kinds: [String] = []
var conditions: [String] = []
for path in arguments.dropFirst() {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
        FileHandle.standardError.write(Data("CatalogueScanner: cannot read \(path)\n".utf8))
        exit(1)
    }
    for (name, conformances) in declarations(in: text) {
        if conformances.contains("FaultKind") { kinds.append(name) }
        if conformances.contains("ScheduleCondition") { conditions.append(name) }
    }
}

func list(_ names: [String]) -> String {
    names.sorted().map { "        \($0).self,\n" }.joined()
}

let source = """
    // Written at build time by the FaultCatalogueGenerator plugin from Faults/ and Schedules/.
    extension FaultCatalogue {
        static let discoveredKinds: [any FaultKind.Type] = [
    \(list(kinds))    ]

        static let discoveredConditions: [any ScheduleCondition.Type] = [
    \(list(conditions))    ]
    }

    """
// Unchanged output keeps the module from rebuilding.
if (try? String(contentsOfFile: output, encoding: .utf8)) != source {
    do {
        try source.write(toFile: output, atomically: true, encoding: .utf8)
    } catch {
        FileHandle.standardError.write(Data("CatalogueScanner: cannot write \(output): \(error)\n".utf8))
        exit(1)
    }
}
