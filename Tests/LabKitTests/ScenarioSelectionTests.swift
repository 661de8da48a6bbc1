import Testing
@testable import LabKit

@Suite struct ScenarioSelectionTests {
    let lab: LabConfig

    init() throws {
        lab = try LabConfigParser.load(defaultLabConf)
    }

    func names(_ words: [String]) throws -> [String] {
        try ScenarioSelection.select(words, from: lab.scenarios, file: "lab.conf").map(\.name)
    }

    func failure(_ words: [String]) -> ScenarioSelection.Unmatched? {
        do {
            _ = try ScenarioSelection.select(words, from: lab.scenarios, file: "lab.conf")
            return nil
        } catch {
            return error
        }
    }

    @Test func namesRunInTheOrderGivenAndPatternsInLabConfsOrder() throws {
        #expect(try names([]) == lab.scenarios.map(\.name))
        #expect(try names(["stress", "simple"]) == ["stress", "simple"])
        #expect(try names(["stream-*"]) == ["stream-cut", "stream-falls-back-across-vendors", "stream-cut-cannot-fall-back"])
        #expect(try names(["*-429*"]) == ["retry-after-429", "quota-429", "openai-429-to-anthropic"])
        #expect(try names(["hang-with?*"]) == ["hang-without-timeout", "hang-with-timeout"])
        #expect(try names(["[sp]*-success"]) == ["primary-success"])
        #expect(try names(["[!p]*-success"]) == ["broken-success"])
    }

    @Test func aScenarioNamedTwiceRunsOnce() throws {
        #expect(try names(["stream-cut", "stream-*", "simple", "stream-cut"]) == ["stream-cut", "stream-falls-back-across-vendors", "stream-cut-cannot-fall-back", "simple"])
    }

    @Test func aTypoIsAnsweredWithTheNameItMeant() throws {
        let typo = try #require(failure(["simple", "stram-cut"]))
        #expect(typo.word == "stram-cut")
        #expect(typo.suggestions.first == "stream-cut")
        #expect(typo.description.hasPrefix("no scenario named 'stram-cut' in lab.conf. Did you mean stream-cut"))
        #expect(typo.description.hasSuffix("(`lab list` shows all \(lab.scenarios.count))"))
        // A part of a name finds the names holding it; case does not matter.
        #expect(try #require(failure(["Primary"])).suggestions == ["primary-success"])
        #expect(try #require(failure(["timeout"])).suggestions.contains("hang-with-timeout"))
        #expect(try #require(failure(["simpel"])).suggestions == ["simple"])
    }

    @Test func aWordFarFromEveryNameListsThemAll() throws {
        let far = try #require(failure(["zzzzzzzz"]))
        #expect(far.suggestions.isEmpty)
        #expect(far.description == "no scenario named 'zzzzzzzz' in lab.conf. Known: " + lab.scenarios.map(\.name).joined(separator: ", "))
        let pattern = try #require(failure(["qq*"]))
        #expect(pattern.description.hasPrefix("no scenario in lab.conf matches 'qq*'. Known: simple, "))
    }

    @Test func editDistance() {
        #expect(ScenarioSelection.distance(Array("kitten"), Array("sitting")) == 3)
        #expect(ScenarioSelection.distance(Array(""), Array("abc")) == 3)
        #expect(ScenarioSelection.distance(Array("stream-cut"), Array("stream-cut")) == 0)
        // Two letters swapped are one slip, not two.
        #expect(ScenarioSelection.distance(Array("simpel"), Array("simple")) == 1)
        #expect(ScenarioSelection.distance(Array("ab"), Array("ba")) == 1)
        #expect(ScenarioSelection.distance(Array("ca"), Array("abc")) == 3)
    }
}
