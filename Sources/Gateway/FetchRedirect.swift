import Foundation

/// How the gateway's `fetch` follows a redirect. Portkey calls `fetch(url, options)` with
/// no `redirect` option (`constructRequest` in handlerUtils.ts, `retryRequest`), so Node's
/// fetch follows up to twenty, as the Fetch standard says: a 301 or 302 turns a POST into
/// a GET without its body, a 303 turns anything but GET and HEAD into a GET, a 307 or 308
/// repeats the request as it was. Pure.
enum FetchRedirect {
    static let statuses: Set<Int> = [301, 302, 303, 307, 308]
    /// Node's fetch gives up after this many with `redirect count exceeded`.
    static let limit = 20

    struct Hop: Equatable {
        var url: String
        var method: String
        var body: [UInt8]
        /// The method became GET: the body's headers (`Content-Type`) go with the body.
        var dropsBody: Bool
        /// Another scheme, host or port: `Authorization` is not sent there.
        var crossOrigin: Bool
    }

    /// The request that follows `status` with `location`, or nil when there is none to make.
    static func next(status: Int, location: String?, from url: String, method: String, body: [UInt8]) -> Hop? {
        guard statuses.contains(status), let location, let resolved = resolve(location, against: url) else { return nil }
        let toGet = ((status == 301 || status == 302) && method == "POST") || (status == 303 && method != "GET" && method != "HEAD")
        return Hop(url: resolved, method: toGet ? "GET" : method, body: toGet ? [] : body, dropsBody: toGet,
                   crossOrigin: origin(of: resolved) != origin(of: url))
    }

    /// `location` read against `url` as a URL parser reads a relative reference.
    static func resolve(_ location: String, against url: String) -> String? {
        let lower = location.lowercased()
        if lower.hasPrefix("http://") || lower.hasPrefix("https://") { return location }
        guard let base = origin(of: url) else { return nil }
        if location.hasPrefix("//") { return String(base.prefix { $0 != ":" }) + ":" + location }
        if location.hasPrefix("/") { return base + location }
        let path = String(url.dropFirst(base.count).prefix { $0 != "?" && $0 != "#" })
        if location.hasPrefix("?") { return base + (path.isEmpty ? "/" : path) + location }
        let directory = path.lastIndex(of: "/").map { String(path[...$0]) } ?? "/"
        return base + directory + location
    }

    /// `http://host:port`, lowercased, from an absolute URL.
    static func origin(of url: String) -> String? {
        guard let schemeEnd = url.range(of: "://") else { return nil }
        let rest = url[schemeEnd.upperBound...]
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        return (url[..<schemeEnd.upperBound] + authority).lowercased()
    }
}
