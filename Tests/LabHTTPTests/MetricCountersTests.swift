@testable import LabHTTP
import Testing

/// Counters add up by label set whatever order the sets come in, and keep the order in
/// which each set first appeared.
@Suite struct MetricCountersTests {
    @Test func labelSetsAddUpInAnyOrder() {
        var counters = MetricCounters()
        let a: MetricCounters.Labels = [("route", "/api/chat"), ("status", "200")]
        let b: MetricCounters.Labels = [("route", "/api/chat"), ("status", "503")]
        let c: MetricCounters.Labels = [("route", "/api/chat")]
        for labels in [a, a, b, a, c, b, b, a, c] { counters.add(labels) }
        counters.add(b, 0.5)
        let samples = counters.samples
        #expect(samples.map { $0.labels.map { "\($0.0)=\($0.1)" }.joined(separator: ",") }
                == ["route=/api/chat,status=200", "route=/api/chat,status=503", "route=/api/chat"])
        #expect(samples.map(\.value) == [4, 3.5, 2])
    }

    /// The three-label form counts with the array form, the same set as the same sample,
    /// whether or not it was the last one added.
    @Test func threeLabelsCountWithTheArrayForm() {
        var counters = MetricCounters()
        let names = ("provider", "route", "status")
        counters.add(names, ("p", "/api/chat", "200"))
        counters.add(names, ("p", "/api/chat", "200"))
        counters.add([("provider", "p"), ("route", "/api/chat"), ("status", "200")])
        counters.add(names, ("p", "/api/chat", "503"))
        counters.add(names, ("p", "/api/chat", "200"), 2)
        counters.add(("provider", "route", "code"), ("p", "/api/chat", "200"))
        #expect(counters.samples.map { $0.labels.map { "\($0.0)=\($0.1)" }.joined(separator: ",") }
                == ["provider=p,route=/api/chat,status=200", "provider=p,route=/api/chat,status=503", "provider=p,route=/api/chat,code=200"])
        #expect(counters.samples.map(\.value) == [5, 1, 1])
    }

    @Test func prometheusTextShowsEverySet() {
        var counters = MetricCounters()
        counters.add([("provider", "ollama"), ("route", "/v1/\"x\"")])
        counters.add([("provider", "ollama"), ("route", "/api/chat")])
        counters.add([("provider", "ollama"), ("route", "/v1/\"x\"")])
        var text = PrometheusText()
        text.family("lab_requests_total", "counter", "Requests.", counters.samples)
        #expect(text.text == """
            # HELP lab_requests_total Requests.
            # TYPE lab_requests_total counter
            lab_requests_total{provider="ollama",route="/v1/\\"x\\""} 2
            lab_requests_total{provider="ollama",route="/api/chat"} 1

            """)
    }
}
