import FaultInjector
import LabCore

/// One self-contained HTML file: no network fetches, inline CSS and SVG. Per scenario a
/// timeline (a lane each for the client, the edge route, the gateway and every
/// provider; a bar per attempt coloured by outcome; backoff waits; the edge timeout),
/// beside the Portkey config, the faults and each expectation's verdict.
public enum HTMLReport {
    public static func render(_ results: [ScenarioResult], env: LabEnvironment) -> String {
        let failed = results.filter { !$0.passed }.count
        var out = """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8">
            <title>lab run — \(esc(env.config.file))</title>
            <style>\(css)</style></head><body>
            <h1>lab run <span class="dim">\(esc(env.config.file))</span></h1>
            <p class="summary \(failed == 0 ? "pass" : "fail")">\(results.count) scenarios: \(results.count - failed) passed, \(failed) failed
            <span class="dim">· \(env.clock.name) clock · \(env.isEmbedded ? "embedded gateway" : "gateway " + esc(env.gatewayURL)) · edge timeout \(env.config.edgeTimeoutMs) ms</span></p>
            \(legend)
            <table class="index"><tr><th></th><th>scenario</th><th>title</th><th>requests</th><th>lab time</th></tr>
            """
        for r in results {
            let lab = r.labMs
            out += "<tr><td class=\"\(r.passed ? "pass" : "fail")\">\(r.passed ? "PASS" : "FAIL")</td><td><a href=\"#\(esc(r.scenario.name))\">\(esc(r.scenario.name))</a></td><td>\(esc(r.scenario.title))</td><td>\(r.requests.count)</td><td>\(seconds(lab))</td></tr>\n"
        }
        out += "</table>\n"
        for (i, r) in results.enumerated() { out += section(r, number: i + 1) }
        out += "</body></html>\n"
        return out
    }

    static func section(_ r: ScenarioResult, number: Int) -> String {
        var out = """
            <section id="\(esc(r.scenario.name))">
            <h2><span class="\(r.passed ? "pass" : "fail")">\(r.passed ? "PASS" : "FAIL")</span> \(number). \(esc(r.scenario.title)) <span class="dim">[\(esc(r.scenario.name))]</span></h2>
            """
        if let note = r.scenario.note { out += "<p class=\"note\">\(esc(note))</p>\n" }
        if r.timeline.bars.isEmpty, r.requests.count > Timeline.maxRequests {
            out += "<p class=\"dim\">\(r.requests.count) requests are too many to draw one by one; the windows below tell how they went.</p>\n"
        } else {
            out += svg(r.timeline)
        }
        out += "<div class=\"cols\"><div><h3>Portkey config</h3><pre>\(esc(r.scenario.portkeyConfig.pretty))</pre>"
        if !r.scenario.faults.isEmpty {
            out += "<h3>Faults</h3><pre>"
            for (provider, rules) in r.scenario.faults.sorted(by: { $0.key < $1.key }) {
                for rule in rules { out += "\(esc(provider)): \(esc(rule.source.compact))\n" }
            }
            out += "</pre>"
        }
        out += "</div><div><h3>Expectations</h3><table>"
        for v in r.verdicts {
            out += "<tr><td class=\"\(v.passed ? "pass" : "fail")\">\(v.passed ? "✔" : "✘")</td><td>\(esc(v.name))</td><td>\(esc(v.passed ? v.expected : "expected \(v.expected), got \(v.actual)"))</td></tr>"
        }
        out += "</table><h3>Hits</h3><p>\(esc(r.hits.map { "\($0.0) \($0.1)" }.joined(separator: " · ")))</p>"
        out += "<h3>Requests</h3><table><tr><th>#</th><th>status</th><th>served by</th><th>index</th><th>retries</th><th>lab time</th></tr>"
        for o in r.requests.prefix(12) {
            out += "<tr><td>\(o.number)</td><td>\(o.status.map(String.init) ?? esc(o.clientError ?? "–"))\(o.edgeTimedOut ? " (edge)" : "")\(o.cutShort ? " (cut)" : "")</td><td>\(esc(o.servedBy ?? "none"))</td><td>\(esc(o.lastUsedOptionIndex ?? "–"))</td><td>\(o.retryAttemptCount.map(String.init) ?? "–")</td><td>\(seconds(o.labMs))</td></tr>"
        }
        if r.requests.count > 12 { out += "<tr><td colspan=\"6\" class=\"dim\">… \(r.requests.count - 12) more</td></tr>" }
        out += "</table>"
        if !r.windows.isEmpty {
            out += "<h3>Windows (lab time)</h3><table><tr><th>window</th><th>sent</th><th>ok</th><th>p50</th><th>p95</th><th>p99</th><th>hits</th></tr>"
            for w in r.windows {
                out += "<tr><td>\(ConsoleReport.windowText(w.fromMs, w.toMs))</td><td>\(w.requests)</td>"
                    + "<td class=\"\(w.successRate < 1 ? "fail" : "pass")\">\(String(format: "%.1f", w.successRate * 100))%</td>"
                    + "<td>\(seconds(w.p50Ms))</td><td>\(seconds(w.p95Ms))</td><td>\(seconds(w.p99Ms))</td>"
                    + "<td>\(esc(w.hits.map { "\($0.0) \($0.1)" }.joined(separator: " · ")))</td></tr>"
            }
            out += "</table>"
        }
        out += "</div></div></section>\n"
        return out
    }

    static let laneHeight = 24.0
    static let labelWidth = 110.0
    static let width = 960.0

    static func svg(_ t: Timeline) -> String {
        // The edge timeout line is drawn when it falls within reach of the chart.
        let showEdge = t.edgeTimeoutAtMs.map { $0 <= t.endMs * 1.25 } ?? false
        let span = max(t.endMs, showEdge ? (t.edgeTimeoutAtMs ?? 0) : 0) * 1.04
        let plot = width - labelWidth - 10
        func x(_ ms: Double) -> Double { labelWidth + max(0, ms) / span * plot }
        let height = Double(t.lanes.count) * laneHeight + 34
        var out = "<svg class=\"timeline\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" width=\"\(Int(width))\" height=\"\(Int(height))\" xmlns=\"http://www.w3.org/2000/svg\">"
        out += "<defs><pattern id=\"hatch\" width=\"6\" height=\"6\" patternTransform=\"rotate(45)\" patternUnits=\"userSpaceOnUse\"><rect width=\"3\" height=\"6\" fill=\"#9aa5b1\"/></pattern></defs>"
        for (i, lane) in t.lanes.enumerated() {
            let y = Double(i) * laneHeight
            out += "<rect x=\"0\" y=\"\(y)\" width=\"\(width)\" height=\"\(laneHeight)\" class=\"\(i % 2 == 0 ? "lane" : "lane2")\"/>"
            out += "<text x=\"6\" y=\"\(y + 16)\" class=\"lanelabel\">\(esc(lane))</text>"
        }
        for tick in ticks(span) {
            let tx = x(tick)
            out += "<line x1=\"\(fmt(tx))\" y1=\"0\" x2=\"\(fmt(tx))\" y2=\"\(Double(t.lanes.count) * laneHeight)\" class=\"grid\"/>"
            out += "<text x=\"\(fmt(tx))\" y=\"\(Double(t.lanes.count) * laneHeight + 14)\" class=\"tick\">\(esc(seconds(tick)))</text>"
        }
        for bar in t.bars {
            guard let lane = t.lanes.firstIndex(of: bar.lane) else { continue }
            let y = Double(lane) * laneHeight + 4
            let x0 = x(bar.startMs)
            let w = max(2, x(bar.endMs) - x0)
            out += "<rect x=\"\(fmt(x0))\" y=\"\(fmt(y))\" width=\"\(fmt(w))\" height=\"\(laneHeight - 8)\" rx=\"2\" class=\"bar \(bar.kind.rawValue)\"><title>\(esc(bar.label)) (\(esc(seconds(bar.startMs)))–\(esc(seconds(bar.endMs))))</title></rect>"
        }
        if showEdge, let at = t.edgeTimeoutAtMs {
            out += "<line x1=\"\(fmt(x(at)))\" y1=\"0\" x2=\"\(fmt(x(at)))\" y2=\"\(Double(t.lanes.count) * laneHeight)\" class=\"edge\"/>"
            out += "<text x=\"\(fmt(x(at) - 4))\" y=\"\(Double(t.lanes.count) * laneHeight + 28)\" class=\"edgelabel\">route timeout</text>"
        } else if let at = t.edgeTimeoutAtMs {
            out += "<text x=\"\(fmt(width - 8))\" y=\"\(Double(t.lanes.count) * laneHeight + 28)\" class=\"edgelabel\" text-anchor=\"end\">route timeout at \(esc(seconds(at))), off the chart</text>"
        }
        return out + "</svg>\n"
    }

    static func ticks(_ span: Double) -> [Double] {
        let raw = span / 6
        let magnitude = pow10(floorLog10(raw))
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? raw
        return stride(from: 0.0, through: span, by: step).map { $0 }
    }

    static func floorLog10(_ v: Double) -> Int {
        var e = 0
        var x = max(v, 1e-9)
        while x >= 10 { x /= 10; e += 1 }
        while x < 1 { x *= 10; e -= 1 }
        return e
    }

    static func pow10(_ e: Int) -> Double {
        var v = 1.0
        if e >= 0 { for _ in 0..<e { v *= 10 } } else { for _ in 0..<(-e) { v /= 10 } }
        return v
    }

    static func fmt(_ v: Double) -> String { String((v * 10).rounded() / 10) }

    static func seconds(_ ms: Double) -> String {
        ms >= 1000 ? "\((ms / 100).rounded() / 10) s" : "\(Int(ms.rounded())) ms"
    }

    static func esc(_ s: String) -> String { MachineReports.xml(s) }

    static let legend = """
        <p class="legend"><span class="key ok"></span>2xx <span class="key error"></span>4xx/5xx \
        <span class="key network"></span>reset, refused, DNS <span class="key timeout"></span>hang or timeout \
        <span class="key truncated"></span>truncated stream <span class="key wait"></span>backoff / Retry-After wait \
        <span class="edgekey"></span>route timeout</p>
        """

    static let css = """
        body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px;color:#1f2933;background:#fff}
        h1{font-size:22px;margin:0 0 4px} h2{font-size:17px;margin:28px 0 6px} h3{font-size:13px;margin:10px 0 4px;color:#52606d}
        .dim{color:#7b8794;font-weight:normal} .note{margin:2px 0 8px;color:#3e4c59;max-width:960px}
        .pass{color:#1f7a3a;font-weight:600} .fail{color:#c81e1e;font-weight:600}
        .summary{font-size:15px} table{border-collapse:collapse;font-size:13px} td,th{padding:2px 10px 2px 0;text-align:left;vertical-align:top}
        table.index td,table.index th{border-bottom:1px solid #e4e7eb}
        pre{background:#f5f7fa;padding:8px;font-size:12px;max-width:460px;overflow:auto;margin:0}
        .cols{display:flex;gap:28px;flex-wrap:wrap} section{border-top:1px solid #e4e7eb;margin-top:18px}
        svg.timeline{display:block;margin:6px 0 4px;font-size:11px}
        .lane{fill:#f8fafc} .lane2{fill:#eef2f6} .lanelabel{fill:#3e4c59} .grid{stroke:#d9e2ec;stroke-width:1} .tick{fill:#7b8794;text-anchor:middle}
        .bar.ok{fill:#31a354} .bar.error{fill:#e6550d} .bar.network{fill:#756bb1} .bar.timeout{fill:#969696}
        .bar.truncated{fill:#f2c12e} .bar.wait{fill:url(#hatch)} .bar.pending{fill:#c6dbef}
        .edge{stroke:#c81e1e;stroke-width:2;stroke-dasharray:5,4} .edgelabel{fill:#c81e1e;text-anchor:end}
        .legend{font-size:12px;color:#52606d} .key{display:inline-block;width:14px;height:10px;margin:0 4px 0 12px;border-radius:2px}
        .key.ok{background:#31a354} .key.error{background:#e6550d} .key.network{background:#756bb1} .key.timeout{background:#969696}
        .key.truncated{background:#f2c12e} .key.wait{background:repeating-linear-gradient(45deg,#9aa5b1 0 3px,#fff 3px 6px)}
        .edgekey{display:inline-block;width:14px;border-top:2px dashed #c81e1e;margin:0 4px 3px 12px}
        """
}
