import ArgumentParser
import LabHTTP

/// `--time-scale` of every command, held to what lab.conf's `time_scale` takes.
func checkTimeScale(_ scale: Double) throws {
    guard scale > 0, scale <= LoopClock.maxScale else {
        throw ValidationError("--time-scale must be greater than 0 and at most \(Int(LoopClock.maxScale)), got \(scale)")
    }
}
