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
