import Glibc

/// The job runs on GitHub Actions, which reads `::error …::` lines from its output.
enum GitHubActions {
    static var running: Bool { getenv("GITHUB_ACTIONS").map { String(cString: $0) == "true" } ?? false }
}
