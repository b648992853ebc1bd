import Hummingbird

/// Answers only requests whose `Host` names this console, against DNS rebinding: a web page
/// that points its own name at 127.0.0.1 could otherwise make the operator's browser read the
/// console's pages (event bodies, dead letters) for it. The browser sends the page's name as
/// `Host`, which is not one the console answers to. Probes (`/healthz`, `/readyz`) reveal
/// nothing and are answered whatever the `Host`, so Kubernetes can reach them by pod IP.
struct ConsoleHostCheck<Context: RequestContext>: RouterMiddleware {
    /// Lowercased host names and addresses, without port or brackets.
    let allowed: Set<String>

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        if path == "/healthz" || path == "/readyz" { return try await next(request, context) }
        guard let authority = request.head.authority, allowed.contains(Self.hostName(authority)) else {
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; charset=utf-8"
            let names = allowed.sorted().joined(separator: ", ")
            let body = "this console answers only to Host \(names); start it with --allowed-host NAME for the name you reach it by\n"
            return Response(status: .misdirectedRequest, headers: headers, body: .init(byteBuffer: .init(string: body)))
        }
        return try await next(request, context)
    }

    /// `name`, `name:port`, `[v6]` or `[v6]:port` → the lowercased name or address.
    static func hostName(_ authority: String) -> String {
        if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
            return String(authority[authority.index(after: authority.startIndex)..<close]).lowercased()
        }
        if let colon = authority.lastIndex(of: ":"), authority.firstIndex(of: ":") == colon {
            return String(authority[..<colon]).lowercased()
        }
        return authority.lowercased()
    }
}
