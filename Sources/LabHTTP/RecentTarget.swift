/// The request target a server's connections last made into a string, and its bytes.
/// Shared by every connection of the server, so that clients on many connections asking
/// for the same path hand on the same string: comparing it with another copy of itself
/// (the mock's last path, a metric's label) is then one check of its identity instead of a
/// look at every byte (some 120 instructions for `/v1/chat/completions`, past the 15 bytes
/// a string keeps inline). All of a server's connections run on its loop's thread.
final class RecentTarget {
    var bytes: [UInt8] = []
    var text = ""
}
