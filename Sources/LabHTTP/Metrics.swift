/// Counters a server keeps for `/metrics`, by label set, and their Prometheus text
/// exposition. Counters only grow: clearing a journal does not reset them.
public struct MetricCounters: Sendable {
    public typealias Labels = [(String, String)]

    private var index: [Key: Int] = [:]
    private var labelSets: [Labels] = []
    private var amounts: [Double] = []
    private var last: Int?

    /// A label set as a dictionary key, hashed from its strings: no key text is built.
    private struct Key: Hashable {
        let labels: Labels
        static func == (a: Key, b: Key) -> Bool {
            a.labels.count == b.labels.count && zip(a.labels, b.labels).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        }
        func hash(into hasher: inout Hasher) {
            for (name, value) in labels {
                hasher.combine(name)
                hasher.combine(value)
            }
        }
    }

    public init() {}

    public mutating func add(_ labels: Labels, _ amount: Double = 1) {
        let key = Key(labels: labels)
        // A server under load adds the same label set again and again: comparing it with
        // the last one is cheaper than hashing it.
        if let last, Key(labels: labelSets[last]) == key {
            amounts[last] += amount
            return
        }
        if let i = index[key] {
            amounts[i] += amount
            last = i
        } else {
            index[key] = amounts.count
            last = amounts.count
            labelSets.append(labels)
            amounts.append(amount)
        }
    }

    /// Three labels, named `names`, with `values`: what a server counts per request. The
    /// values are compared with the last set added before any array is built — a label
    /// array costs an allocation and a destroy per request, a third of a small answer's.
    public mutating func add(_ names: (String, String, String), _ values: (String, String, String), _ amount: Double = 1) {
        if let last {
            let l = labelSets[last]
            if l.count == 3, l[0].0 == names.0, l[0].1 == values.0, l[1].0 == names.1, l[1].1 == values.1,
               l[2].0 == names.2, l[2].1 == values.2 {
                amounts[last] += amount
                return
            }
        }
        add([(names.0, values.0), (names.1, values.1), (names.2, values.2)], amount)
    }

    /// Samples in the order their label sets first appeared.
    public var samples: [(labels: Labels, value: Double)] { zip(labelSets, amounts).map { ($0, $1) } }
}

/// Prometheus's text format (version 0.0.4), written by hand: a few families per server.
public struct PrometheusText {
    private var lines: [String] = []

    public init() {}

    public mutating func family(_ name: String, _ type: String, _ help: String, _ samples: [(labels: MetricCounters.Labels, value: Double)]) {
        lines.append("# HELP \(name) \(help)")
        lines.append("# TYPE \(name) \(type)")
        for s in samples {
            let labels = s.labels.isEmpty ? "" : "{" + s.labels.map { "\($0.0)=\"\(Self.escape($0.1))\"" }.joined(separator: ",") + "}"
            lines.append("\(name)\(labels) \(Self.number(s.value))")
        }
    }

    public mutating func gauge(_ name: String, _ help: String, _ value: Double, _ labels: MetricCounters.Labels = []) {
        family(name, "gauge", help, [(labels, value)])
    }

    public var text: String { lines.joined(separator: "\n") + "\n" }

    /// The answer to `GET /metrics`.
    public var script: WireScript {
        WireScript.respond(status: 200, headers: ["Content-Type": "text/plain; version=0.0.4; charset=utf-8"], body: Array(text.utf8))
    }

    static func escape(_ s: String) -> String {
        var out = ""
        for c in s {
            switch c {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(c)
            }
        }
        return out
    }

    static func number(_ v: Double) -> String { v == v.rounded() && abs(v) < 1e15 ? String(Int(v)) : String(v) }
}
