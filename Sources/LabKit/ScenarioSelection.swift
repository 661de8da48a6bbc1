import Glibc

/// The scenarios a command line names: exact names, or shell patterns (`stream-*`,
/// `*-429*`, `retry-?`) matched against every name. Scenario names hold only letters,
/// digits, `-` and `_`, so a word with `*`, `?` or `[` can only be a pattern.
public enum ScenarioSelection {
    /// A word that names nothing, with the names it was probably meant to be.
    public struct Unmatched: Error, Equatable, CustomStringConvertible {
        public let word: String
        public let file: String
        public let suggestions: [String]
        public let known: [String]

        public var description: String {
            let what = ScenarioSelection.isPattern(word)
                ? "no scenario in \(file) matches '\(word)'"
                : "no scenario named '\(word)' in \(file)"
            if !suggestions.isEmpty {
                return "\(what). Did you mean \(suggestions.joined(separator: ", "))? (`lab list` shows all \(known.count))"
            }
            return "\(what). Known: \(known.joined(separator: ", "))"
        }
    }

    /// Each word's scenarios in turn, a pattern's in lab.conf's order; a scenario named
    /// twice runs once, where it was first named. No words: every scenario.
    public static func select(_ words: [String], from scenarios: [Scenario], file: String) throws(Unmatched) -> [Scenario] {
        guard !words.isEmpty else { return scenarios }
        var chosen: [Scenario] = []
        var seen: Set<String> = []
        for word in words {
            let matching = isPattern(word)
                ? scenarios.filter { fnmatch(word, $0.name, 0) == 0 }
                : scenarios.filter { $0.name == word }
            guard !matching.isEmpty else {
                let names = scenarios.map(\.name)
                throw Unmatched(word: word, file: file, suggestions: suggestions(for: word, among: names), known: names)
            }
            for s in matching where seen.insert(s.name).inserted { chosen.append(s) }
        }
        return chosen
    }

    static func isPattern(_ word: String) -> Bool { word.contains { $0 == "*" || $0 == "?" || $0 == "[" } }

    /// Names that contain the word, or a typo or two away from it: `stream`,
    /// `strem-cut` and `Stream-Cut` all find `stream-cut`. At most five, closest first.
    static func suggestions(for word: String, among names: [String]) -> [String] {
        let typed = Array(word.lowercased().filter { $0 != "*" && $0 != "?" })
        guard !typed.isEmpty else { return [] }
        let allowed = max(1, min(3, typed.count / 4))
        var scored: [(distance: Int, name: String)] = []
        for name in names {
            let lower = Array(name.lowercased())
            if lower.count >= typed.count, contains(lower, typed) {
                scored.append((0, name))
            } else {
                let d = distance(typed, lower)
                if d <= allowed { scored.append((d, name)) }
            }
        }
        // Stable: equally close names keep lab.conf's order.
        return scored.enumerated().sorted { ($0.element.distance, $0.offset) < ($1.element.distance, $1.offset) }
            .prefix(5).map(\.element.name)
    }

    private static func contains(_ haystack: [Character], _ needle: [Character]) -> Bool {
        guard needle.count <= haystack.count else { return false }
        for start in 0...(haystack.count - needle.count) where haystack[start..<start + needle.count].elementsEqual(needle) { return true }
        return false
    }

    /// Edits from one to the other — a letter added, dropped, changed, or two side by side
    /// swapped (`simpel`) — as the optimal-string-alignment distance; names are short, so
    /// three rows of the table are enough.
    static func distance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var before = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { current[j] = min(current[j], before[j - 2] + 1) }
            }
            (before, previous, current) = (previous, current, before)
        }
        return previous[b.count]
    }
}
