/// Every fault kind and schedule condition a rule can name, in the order errors list
/// them. Each kind reads itself (`FaultKind.parse`, `ScheduleCondition.parse`); this is
/// the one list of them.
public enum FaultCatalogue {
    public static let faults: [any FaultKind.Type] = [
        StatusFault.self, DelayFault.self, HangFault.self, ConnectionFault.self,
        StreamCutFault.self, MalformedLineFault.self, InsertedMalformedFault.self, MissingDoneFault.self, StreamErrorFault.self,
        PacingFault.self, SlowFault.self,
    ]

    public static let schedules: [any ScheduleCondition.Type] = [
        FirstSchedule.self, NthSchedule.self, EverySchedule.self, AfterSchedule.self, RequestWindowSchedule.self,
        TimeWindowSchedule.self, ProbabilitySchedule.self, QuotaSchedule.self,
    ]

    // A loop, not `flatMap(\.keys)`: a key path to a static member of an existential
    // metatype crashes the Swift 6.x compiler.
    static var allKeys: [String] {
        var out: [String] = []
        for kind in faults { out += kind.keys }
        return out
    }

    /// The keys of `fault:`, groups once (`stream`).
    public static var faultKeys: [String] {
        var seen: [String] = []
        for key in allKeys {
            let top = String(key.prefix { $0 != "." })
            if !seen.contains(top) { seen.append(top) }
        }
        return seen
    }

    /// The keys a group (`stream`) takes.
    static func keys(in group: String) -> [String] {
        var seen: [String] = []
        for key in allKeys where key.hasPrefix(group + ".") {
            let sub = String(key.dropFirst(group.count + 1))
            if !seen.contains(sub) { seen.append(sub) }
        }
        return seen
    }
}
