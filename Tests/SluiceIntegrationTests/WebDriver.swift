import Foundation
import SluiceDelivery
import SluiceRedis
import SluiceTesting

/// A real headless Chromium, driven over the W3C WebDriver protocol through Debian's
/// `chromedriver` (packages chromium and chromium-driver): just the commands the console's
/// browser tests use.
final class WebDriver: Sendable {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// The key W3C WebDriver names an element reference by.
    private static let elementKey = "element-6066-11e4-a52e-4f735466cecf"

    private let driver: ChildProcess
    private let base: String
    private let session: String
    private let client: HTTPClient

    private init(driver: ChildProcess, base: String, session: String, client: HTTPClient) {
        self.driver = driver
        self.base = base
        self.session = session
        self.client = client
    }

    /// Starts chromedriver on a free port and opens a headless Chromium session.
    static func start(client: HTTPClient, log: String, width: Int = 1280, height: Int = 900) async throws -> WebDriver {
        guard let chromedriver = ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"].first(where: FileManager.default.isExecutableFile),
            FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium")
        else {
            throw Failure(description: "the console's browser tests need Debian's chromium and chromium-driver (apt-get install chromium chromium-driver; .ci/run installs them)")
        }
        guard let port = FreePort.pick() else { throw Failure(description: "no free port for chromedriver") }
        let driver = try ChildProcess.spawn(executable: chromedriver, arguments: ["--port=\(port)"], logPath: log)
        let base = "http://127.0.0.1:\(port)"
        try await poll(until: {
            (try? await client.execute(HTTPRequest(method: "GET", url: base + "/status", timeout: .seconds(2))))?.status == 200
        }, "chromedriver answers")
        let capabilities: [String: Any] = [
            "capabilities": [
                "alwaysMatch": [
                    "browserName": "chrome",
                    "goog:chromeOptions": [
                        "binary": "/usr/bin/chromium",
                        "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=\(width),\(height)"],
                    ],
                ]
            ]
        ]
        let made = try await call(client, "POST", base + "/session", capabilities)
        guard let value = made["value"] as? [String: Any], let session = value["sessionId"] as? String else {
            driver.send(SIGKILL)
            throw Failure(description: "chromedriver opened no session: \(made)")
        }
        return WebDriver(driver: driver, base: base, session: session, client: client)
    }

    /// Ends the browser session and chromedriver.
    func quit() async {
        _ = try? await Self.call(client, "DELETE", base + "/session/\(session)", nil)
        driver.send(SIGTERM)
        await driver.exit.wait()
    }

    func open(_ url: String) async throws {
        _ = try await command("POST", "url", ["url": url])
    }

    var currentURL: String {
        get async throws { try await command("GET", "url") as? String ?? "" }
    }

    /// The page's HTML as the browser holds it now.
    var source: String {
        get async throws { try await command("GET", "source") as? String ?? "" }
    }

    /// The element `css` selects (throws when there is none).
    func element(_ css: String) async throws -> String {
        let value = try await command("POST", "element", ["using": "css selector", "value": css])
        guard let reference = (value as? [String: Any])?[Self.elementKey] as? String else {
            throw Failure(description: "no element matches \(css) on \(try await currentURL): \(String(describing: value))")
        }
        return reference
    }

    /// Every element `css` selects.
    func elements(_ css: String) async throws -> [String] {
        let value = try await command("POST", "elements", ["using": "css selector", "value": css])
        return (value as? [[String: Any]] ?? []).compactMap { $0[Self.elementKey] as? String }
    }

    /// Waits (bounded) until `css` selects something: after a click that submits a form, the
    /// next page may still be loading when the click returns.
    func waitFor(_ css: String, timeout: Duration = .seconds(30)) async throws {
        try await poll(until: { !(try await elements(css)).isEmpty }, timeout: timeout, "\(css) appears")
    }

    func text(_ css: String) async throws -> String {
        let reference = try await element(css)
        return try await command("GET", "element/\(reference)/text") as? String ?? ""
    }

    func click(_ css: String) async throws {
        let reference = try await element(css)
        _ = try await command("POST", "element/\(reference)/click", [:])
    }

    func type(_ text: String, into css: String) async throws {
        let reference = try await element(css)
        _ = try await command("POST", "element/\(reference)/value", ["text": text])
    }

    /// Runs `script` in the page (as the page's own script would run) and returns what it
    /// returns; a returned promise is awaited.
    func execute(_ script: String) async throws -> Any? {
        try await command("POST", "execute/sync", ["script": script, "args": [Any]()])
    }

    /// Resizes the window (a phone's width, say).
    func resize(width: Int, height: Int) async throws {
        _ = try await command("POST", "window/rect", ["width": width, "height": height])
    }

    /// A PNG of the viewport, written to `path`.
    func screenshot(to path: String) async throws {
        guard let encoded = try await command("GET", "screenshot") as? String, let data = Data(base64Encoded: encoded) else {
            throw Failure(description: "chromedriver returned no screenshot")
        }
        try data.write(to: URL(fileURLWithPath: path))
    }

    private func command(_ method: String, _ path: String, _ body: [String: Any]? = nil) async throws -> Any? {
        let reply = try await Self.call(client, method, base + "/session/\(session)/" + path, body)
        if let error = reply["value"] as? [String: Any], let kind = error["error"] as? String {
            throw Failure(description: "WebDriver \(method) \(path): \(kind): \(error["message"] as? String ?? "")")
        }
        return reply["value"]
    }

    private static func call(_ client: HTTPClient, _ method: String, _ url: String, _ body: [String: Any]?) async throws -> [String: Any] {
        let bytes = try body.map { Array(try JSONSerialization.data(withJSONObject: $0)) } ?? []
        let response = try await client.execute(HTTPRequest(
            method: method, url: url, headers: [HTTPHeader(name: "content-type", value: "application/json")], body: bytes, timeout: .seconds(60),
            maxResponseBytes: 32 << 20))
        return (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any] ?? [:]
    }
}
