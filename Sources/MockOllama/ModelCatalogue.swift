import LabCore
/// The models a mock has, newest first, changed by pull, copy and delete.
public final class ModelCatalogue {
    public private(set) var models: [MockModel] {
        didSet { lookups = [:]; lastLookup = nil }
    }
    /// Names as clients spell them → the model, so parsing a name happens once.
    private var lookups: [String: Int] = [:]
    /// The name asked last: a client asks for one model again and again, and comparing
    /// a short name costs less than hashing it.
    private var lastLookup: (raw: String, index: Int)?

    public init(_ names: [ModelName], capabilities: [String: [Capability]] = [:], contextLengths: [String: Int] = [:]) {
        var seen = Set<ModelName>()
        models = names.filter { seen.insert($0).inserted }.map { name in
            MockModel.make(name, capabilities: capabilities[name.key], contextLength: contextLengths[name.key])
        }
        sort()
    }

    public func find(_ raw: String) -> MockModel? {
        if let last = lastLookup, last.raw == raw { return last.index >= 0 ? models[last.index] : nil }
        if let i = lookups[raw] {
            lastLookup = (raw, i)
            return i >= 0 ? models[i] : nil
        }
        let index = ModelName(raw).flatMap { name in models.firstIndex { $0.name == name } }
        if lookups.count < 10_000 { lookups[raw] = index ?? -1 }
        lastLookup = (raw, index ?? -1)
        return index.map { models[$0] }
    }

    public func add(_ model: MockModel) {
        models.removeAll { $0.name == model.name }
        models.append(model)
        sort()
    }

    @discardableResult
    public func remove(_ name: ModelName) -> Bool {
        let before = models.count
        models.removeAll { $0.name == name }
        return models.count != before
    }

    private func sort() {
        models.sort { $0.modifiedUnix != $1.modifiedUnix ? $0.modifiedUnix > $1.modifiedUnix : $0.name.key < $1.name.key }
    }
}
