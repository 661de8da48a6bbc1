import Testing
@testable import Gateway

/// The `$regex` matcher: JavaScript's answers on ordinary patterns, and a bounded
/// give-up on pathological ones.
@Suite struct BoundedRegexTests {
    func test(_ pattern: String, _ text: String) throws -> Bool {
        try BoundedRegex(pattern).test(text)
    }

    @Test(arguments: [
        ("^pro$", "pro", true), ("^pro$", "prod", false), ("pro", "a pro user", true), ("^(free|pro)$", "free", true),
        ("^(free|pro)$", "team", false), ("a.c", "abc", true), ("a.c", "a\nc", false), ("^\\d{3}-\\d{4}$", "555-1234", true),
        ("^\\d{3}-\\d{4}$", "55-1234", false), ("[a-c]+x", "zzbcax", true), ("[^a-c]x", "ax", false), ("\\bcat\\b", "a cat!", true),
        ("\\bcat\\b", "concat", false), ("colou?r", "color", true), ("a{2,3}", "a", false), ("^a{2,3}$", "aaa", true),
        ("^a{2,3}$", "aaaa", false), ("^a{2,}$", "aaaaa", true), ("(ab)\\1", "abab", true), ("(ab)\\1", "abba", false),
        ("^(?:x|y)+$", "xyyx", true), ("foo(?=bar)", "foobar", true), ("foo(?!bar)", "foobar", false), ("a*?b", "aaab", true),
        ("^\\w+@\\w+\\.com$", "me@site.com", true), ("^\\s*$", "  \t", true), ("\\x41", "A", true), ("\\u00e9", "é", true),
        ("a{", "a{", true), ("]", "]", true), ("^(a|ab)(c|bcd)(d*)$", "abcd", true), ("(a*)*b", "aaab", true), ("^$", "", true),
        ("^(?<tier>pro)$", "pro", true), ("[\\d.]+", "v1.2", true), ("(x+x+)+y", "xxxxy", true),
    ])
    func answersAsJavaScriptDoes(pattern: String, text: String, expected: Bool) throws {
        #expect(try test(pattern, text) == expected, "\(pattern) on \(text)")
    }

    @Test(arguments: ["(", "[a", "*a", "a**", "(?<=a)b", "a{3,1}", "\\"])
    func invalidPatternsAreRefused(pattern: String) {
        #expect(throws: BoundedRegex.Invalid.self) { try BoundedRegex(pattern) }
    }

    @Test func aPathologicalPatternGivesUpWithinItsBudget() throws {
        let regex = try BoundedRegex("(a+)+$")
        // 20 a's take millions of steps in a naive backtracker; 40 would take days.
        for n in [20, 40, 1000] {
            #expect(throws: BoundedRegex.TooSlow.self) { try regex.test(String(repeating: "a", count: n) + "!") }
        }
        #expect(try regex.test("aaaa"))
        // A long value nests the backtracking deep before the step budget runs out: that
        // must end in TooSlow, not a stack overflow.
        #expect(throws: BoundedRegex.TooSlow.self) { try BoundedRegex("^(a)*$").test(String(repeating: "a", count: 50_000)) }
        #expect(try BoundedRegex("^(a)*$").test(String(repeating: "a", count: 500)))
        #expect(try !BoundedRegex("(a+)+b").test("aaaa"))
    }
}
