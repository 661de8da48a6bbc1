import ArgumentParser

/// `--seed` of every command, held to what lab.conf's `seed` takes: the reports write it
/// as a JSON integer, which a seed past `Int.max` is not.
func checkSeed(_ seed: UInt64?) throws {
    guard let seed, seed > UInt64(Int.max) else { return }
    throw ValidationError("--seed must be from 0 to \(Int.max), got \(seed)")
}
