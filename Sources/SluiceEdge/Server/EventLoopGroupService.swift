import NIOPosix
import ServiceLifecycle

/// Runs the HTTP server on an event loop group the edge created for it, and shuts the group's
/// threads down once the server has stopped.
struct EventLoopGroupService: Service {
    let server: any Service
    let group: MultiThreadedEventLoopGroup

    func run() async throws {
        do {
            try await server.run()
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
        try await group.shutdownGracefully()
    }
}
