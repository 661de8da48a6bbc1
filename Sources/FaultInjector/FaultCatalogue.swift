/// Every fault kind and schedule condition a rule can name. Each kind reads itself
/// (`FaultKind.parse`, `ScheduleCondition.parse`); the list is made at build time from
/// the types in `Faults/` and `Schedules/` (the FaultCatalogueGenerator plugin), so a
/// new kind is its own file and nothing else. Errors list keys alphabetically.
public enum FaultCatalogue {
    public static var faults: [any FaultKind.Type] { discoveredKinds }

    public static var schedules: [any ScheduleCondition.Type] { discoveredConditions }

    // A loop, not `flatMap(\.keys)`: a key path to a static member of an existential
    // metatype crashes the Swift 6.x compiler.
    static var allKeys: [String] {
        var out: [String] = []
        for kind in faults { out += kind.keys }
        return out
    }

    /// The keys of `fault:`, groups once (`stream`).
    public static var faultKeys: [String] {
        var seen: Set<String> = []
        for key in allKeys { seen.insert(String(key.prefix { $0 != "." })) }
        return seen.sorted()
    }

    /// The keys of `when:`.
    public static var scheduleKeys: [String] {
        var keys: [String] = []
        for condition in schedules { keys.append(condition.key) }
        return keys.sorted()
    }

    /// The keys a group (`stream`) takes.
    static func keys(in group: String) -> [String] {
        var seen: Set<String> = []
        for key in allKeys where key.hasPrefix(group + ".") { seen.insert(String(key.dropFirst(group.count + 1))) }
        return seen.sorted()
    }
}
