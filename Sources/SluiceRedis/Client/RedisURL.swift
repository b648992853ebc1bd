/// Where a Redis server is and how to log in: `redis://[[user]:password@]host[:port][/db]`,
/// `unix:///path/to/redis.sock`, or a Redis Cluster by some of its nodes,
/// `redis+cluster://[[user]:password@]host:port[,host:port…]`.
///
/// `description` never shows the password, so a URL can be logged and put in error messages.
public struct RedisURL: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    /// How the server is reached.
    public enum Endpoint: Sendable, Hashable {
        /// TCP to `host` (a name, an IPv4 address or an IPv6 address without brackets) and `port`.
        case tcp(host: String, port: Int)
        /// A Unix domain socket at `path`.
        case unix(path: String)
        /// A Redis Cluster, reached through any of `seeds`: a connection goes to the master that
        /// serves the slot of `clusterTag` (every Sluice key carries that hash tag).
        case cluster(seeds: [ClusterNode])
    }

    /// A node of a Redis Cluster.
    public struct ClusterNode: Sendable, Hashable {
        public var host: String
        public var port: Int

        public init(host: String, port: Int) {
            self.host = host
            self.port = port
        }
    }

    /// The port used when a `redis://` URL names none.
    public static let defaultPort = 6379

    /// How the server is reached.
    public var endpoint: Endpoint
    /// The ACL user name (Redis 6+), if any; `AUTH user password` is sent after connecting.
    public var username: String?
    /// The password, if any; `AUTH` is sent after connecting. Never part of `description`.
    public var password: String?
    /// The logical database; `SELECT` is sent after connecting when it is not 0.
    public var database: Int
    /// For `.cluster`: the hash tag whose slot's master a connection talks to — routes.yaml's
    /// `redis.prefix`, since every key is `{prefix}:…`.
    public var clusterTag = "sluice"

    /// Whether this names a Redis Cluster (`redis+cluster://`).
    public var isCluster: Bool {
        if case .cluster = endpoint { return true }
        return false
    }

    /// This URL for keys under hash tag `tag`: on a cluster, its connections go to the master of
    /// that tag's slot; any other URL is returned as it is.
    public func tagged(_ tag: String) -> RedisURL {
        var url = self
        url.clusterTag = tag
        return url
    }

    /// Creates a URL from its parts.
    public init(endpoint: Endpoint, username: String? = nil, password: String? = nil, database: Int = 0) {
        self.endpoint = endpoint
        self.username = username
        self.password = password
        self.database = database
    }

    /// Parses `redis://[[user]:password@]host[:port][/db]` or `unix:///path`.
    ///
    /// - Throws: `RedisError` of kind `.invalidURL`, naming what is wrong (but not the password).
    public init(_ string: String) throws(RedisError) {
        if string.hasPrefix("unix://") {
            let path = String(string.dropFirst("unix://".count))
            guard path.hasPrefix("/") else {
                throw Self.invalid("a unix socket URL needs an absolute path, as in unix:///run/redis/redis.sock")
            }
            self.init(endpoint: .unix(path: path))
            return
        }
        let cluster = string.hasPrefix("redis+cluster://")
        guard string.hasPrefix("redis://") || cluster else {
            let scheme = string.split(separator: ":", maxSplits: 1).first.map(String.init) ?? ""
            throw Self.invalid("unsupported scheme '\(scheme)'; only redis://, redis+cluster:// and unix:// are supported (no TLS)")
        }
        var rest = Substring(string.dropFirst(cluster ? "redis+cluster://".count : "redis://".count))

        var username: String?
        var password: String?
        // The password may contain '@' in theory, so split at the last one.
        if let at = rest.lastIndex(of: "@") {
            let userInfo = rest[..<at]
            rest = rest[rest.index(after: at)...]
            if let colon = userInfo.firstIndex(of: ":") {
                let user = String(userInfo[..<colon])
                username = user.isEmpty ? nil : Self.percentDecoded(user)
                password = Self.percentDecoded(String(userInfo[userInfo.index(after: colon)...]))
            } else {
                // `redis://secret@host`: a lone user-info part is taken as the password, as redis-cli does.
                password = Self.percentDecoded(String(userInfo))
            }
        }

        var database = 0
        if let slash = rest.firstIndex(of: "/") {
            let dbText = rest[rest.index(after: slash)...]
            rest = rest[..<slash]
            if !dbText.isEmpty {
                guard let db = Int(dbText), db >= 0 else {
                    throw Self.invalid("database '\(dbText)' is not a non-negative number")
                }
                database = db
            }
        }

        if cluster {
            guard database == 0 else { throw Self.invalid("a Redis Cluster has only database 0, not \(database)") }
            var seeds: [ClusterNode] = []
            for part in rest.split(separator: ",", omittingEmptySubsequences: false) {
                let (host, port) = try Self.hostAndPort(part)
                seeds.append(ClusterNode(host: host, port: port))
            }
            self.init(endpoint: .cluster(seeds: seeds), username: username, password: password)
            return
        }
        let (host, port) = try Self.hostAndPort(rest)
        self.init(endpoint: .tcp(host: host, port: port), username: username, password: password, database: database)
    }

    /// `host`, `host:port`, `[v6]` or `[v6]:port`.
    private static func hostAndPort(_ rest: Substring) throws(RedisError) -> (String, Int) {
        var host: Substring
        var portText: Substring?
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else {
                throw Self.invalid("IPv6 address is missing its closing ']'")
            }
            host = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            if after.hasPrefix(":") {
                portText = after.dropFirst()
            } else if !after.isEmpty {
                throw Self.invalid("unexpected '\(after)' after the IPv6 address")
            }
        } else if let colon = rest.lastIndex(of: ":") {
            host = rest[..<colon]
            portText = rest[rest.index(after: colon)...]
        } else {
            host = rest
        }
        guard !host.isEmpty else {
            throw Self.invalid("no host; expected redis://host:port")
        }
        var port = Self.defaultPort
        if let portText {
            guard let parsed = Int(portText), (1...65535).contains(parsed) else {
                throw Self.invalid("port '\(portText)' is not a number between 1 and 65535")
            }
            port = parsed
        }
        return (String(host), port)
    }

    /// The URL with the password replaced by `***`.
    public var description: String {
        var credentials = ""
        if password != nil {
            credentials = "\(username ?? ""):***@"
        } else if let username {
            credentials = "\(username)@"
        }
        switch endpoint {
        case .tcp(let host, let port):
            let shownHost = host.contains(":") ? "[\(host)]" : host
            let db = database == 0 ? "" : "/\(database)"
            return "redis://\(credentials)\(shownHost):\(port)\(db)"
        case .unix(let path):
            return "unix://\(path)"
        case .cluster(let seeds):
            let nodes = seeds.map { "\($0.host.contains(":") ? "[\($0.host)]" : $0.host):\($0.port)" }
            return "redis+cluster://\(credentials)\(nodes.joined(separator: ","))"
        }
    }

    /// Same as `description`: the password stays hidden in debug output too.
    public var debugDescription: String { description }

    private static func invalid(_ problem: String) -> RedisError {
        RedisError(
            kind: .invalidURL,
            message: "invalid Redis URL: \(problem) (expected redis://[:password@]host:port[/db], redis+cluster://[:password@]host:port[,host:port…] or unix:///path)"
        )
    }

    private static func percentDecoded(_ text: String) -> String {
        guard text.contains("%") else { return text }
        var bytes: [UInt8] = []
        var utf8 = Array(text.utf8)[...]
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "%"), utf8.count >= 2,
                let value = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16)
            {
                bytes.append(value)
                utf8 = utf8.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
