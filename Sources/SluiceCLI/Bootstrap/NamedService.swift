import ServiceLifecycle

/// A service as ServiceLifecycle's logs name it: by its type alone.
///
/// `ServiceGroup` logs every service it starts and stops with `"\(service)"` (at debug level, and
/// with a failure), and Swift's default description of a struct prints every stored property —
/// the routes reloader's would hold the process environment, routes.yaml's bytes and the secret
/// files it watches, secrets among them.
struct NamedService: Service, CustomStringConvertible {
    let service: any Service

    var description: String { String(describing: type(of: service)) }

    func run() async throws {
        try await service.run()
    }
}
