/// The models a mock has, newest first, changed by pull, copy and delete.
public final class ModelCatalogue {
    public private(set) var models: [MockModel]

    public init(_ names: [ModelName]) {
        var seen = Set<ModelName>()
        models = names.filter { seen.insert($0).inserted }.map { MockModel.make($0) }
        sort()
    }

    public func find(_ raw: String) -> MockModel? {
        guard let name = ModelName(raw) else { return nil }
        return models.first { $0.name == name }
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
