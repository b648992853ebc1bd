import Foundation

/// Small JSON response bodies, encoded with proper escaping (ids come from request headers).
enum JSONBody {
    static func encode(_ object: [String: any Sendable]) -> [UInt8] {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return [UInt8](data)
    }
}
