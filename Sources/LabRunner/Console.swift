import LabCore
import LabKit
import Glibc

/// Output lines written straight to the file descriptors, unbuffered, so a
/// process reading `lab` through a pipe sees each line as it happens.
enum Console {
    static func out(_ line: String) { write(1, line + "\n") }
    static func err(_ line: String) { write(2, line + "\n") }
    /// Text without a newline (progress that a later `\r` rewrites).
    static func partial(_ text: String) { write(1, text) }

    private static func write(_ fd: Int32, _ text: String) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n <= 0 { return }
            bytes = bytes.dropFirst(n)
        }
    }
}

import ArgumentParser
import LabHTTP
import ProviderHost

/// The exit status when a server cannot start: 2 when what the command or lab.conf
/// asks for cannot be had (a port in use, an address that is not one, a missing or
/// empty control token) — the user must change the command — and 1 otherwise.
func startFailure(_ error: Error) -> ExitCode {
    error is ListenError || error is ControlAPIError || error is ConfigError ? ExitCode(2) : ExitCode(1)
}
