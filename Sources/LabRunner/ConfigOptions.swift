import ArgumentParser
import Glibc
import LabKit

/// `--config`, shared by the commands that read lab.conf.
struct ConfigOptions: ParsableArguments {
    @Option(name: .customLong("config"), help: "The lab file to read.")
    var path = "lab.conf"

    @Flag(name: .customLong("allow-files-outside"), help: "Let portkey_config_file read files outside lab.conf's folder.")
    var allowFilesOutside = false

    /// Loads lab.conf, or prints where it is broken and exits 2.
    func load() throws -> LabConfig {
        do {
            return try LabConfigParser.load(path, filesOutside: allowFilesOutside)
        } catch {
            Console.err("error: \(error)")
            throw ExitCode(2)
        }
    }

    /// The scenarios of `lab` that `words` name (names or shell patterns; none: all), or
    /// prints which word named nothing, with what it was likely meant to be, and exits 2.
    func select(_ words: [String], in lab: LabConfig) throws -> [Scenario] {
        do {
            return try ScenarioSelection.select(words, from: lab.scenarios, file: lab.file)
        } catch {
            Console.err("error: \(error)")
            throw ExitCode(2)
        }
    }
}

enum Terminal {
    static var colorOnStdout: Bool {
        isatty(1) != 0 && getenv("NO_COLOR") == nil
    }
    static var isInteractive: Bool { isatty(1) != 0 }
}

