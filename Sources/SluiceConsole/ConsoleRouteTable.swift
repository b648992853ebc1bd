import Hummingbird

/// The console's routes, each path with the methods it answers: any other method on a known
/// path is `405 Method Not Allowed` with `Allow`, as a browser's or a script's wrong request
/// deserves, instead of the `404` the router gives a path it does not know.
struct ConsoleRouteTable {
    typealias Handler = @Sendable (Request, ConsoleRequestContext) async throws -> Response

    /// What a known path is refused for. HEAD is answered for every GET path by the router
    /// itself (`ConsoleServer` builds it with `.autoGenerateHeadEndpoints`), so `Allow` names it.
    private static let refusable: [HTTPRequest.Method] = [.get, .head, .post, .put, .delete, .patch, .options]

    private let router: Router<ConsoleRequestContext>
    private var answered: [(path: String, methods: [HTTPRequest.Method])] = []

    init(_ router: Router<ConsoleRequestContext>) {
        self.router = router
    }

    mutating func get(_ path: String, _ handler: @escaping Handler) {
        add(path, .get, handler)
    }

    mutating func post(_ path: String, _ handler: @escaping Handler) {
        add(path, .post, handler)
    }

    /// Answers the methods no handler was given for on every path; call once, after the last route.
    func refuseOtherMethods() {
        for (path, methods) in answered {
            let allowed = methods.contains(.get) ? methods + [.head] : methods
            let allow = allowed.map(\.rawValue).joined(separator: ", ")
            for method in Self.refusable where !allowed.contains(method) {
                router.on(RouterPath(path), method: method) { _, _ in
                    var response = ConsoleController.respond(
                        .methodNotAllowed, type: "text/plain; charset=utf-8", body: "\(method.rawValue) is not allowed here; use \(allow)\n")
                    response.headers[.allow] = allow
                    return response
                }
            }
        }
    }

    private mutating func add(_ path: String, _ method: HTTPRequest.Method, _ handler: @escaping Handler) {
        router.on(RouterPath(path), method: method, use: handler)
        if let index = answered.firstIndex(where: { $0.path == path }) {
            answered[index].methods.append(method)
        } else {
            answered.append((path, [method]))
        }
    }
}
