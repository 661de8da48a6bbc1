import LabCore

/// A config checked as the gateway's validator would check it, for lab.conf and `lab check`.
public enum PortkeyConfigCheck {
    public struct Refusal: Error, CustomStringConvertible {
        public let body: String
        public var description: String { body }
    }

    /// The config's target tree, or the gateway's refusal (status and body).
    public static func check(_ config: JSONValue, policy: CustomHostPolicy = CustomHostPolicy()) throws(Refusal) -> PortkeyTarget {
        do {
            return try PortkeyGateway.read(config, policy: policy)
        } catch {
            throw Refusal(body: "\(error.status) \(error.body.compact)")
        }
    }

    /// The config as written, with every `custom_host` replaced where `rewrite` says (a
    /// real gateway is sent the lab's addresses instead of the names in the file).
    public static func rewritingCustomHosts(_ config: JSONValue, _ rewrite: (String) -> String?) -> JSONValue {
        guard case .object(var members) = config else { return config }
        for i in members.indices {
            let key = members[i].0
            if ConfigKeys.camel(key) == "customHost", let url = members[i].1.stringValue, let new = rewrite(url) {
                members[i].1 = .string(new)
            } else if key == "targets", let items = members[i].1.arrayValue {
                members[i].1 = .array(items.map { rewritingCustomHosts($0, rewrite) })
            }
        }
        return .object(members)
    }
}
