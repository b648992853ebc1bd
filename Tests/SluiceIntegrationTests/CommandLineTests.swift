import Foundation
import SluiceDelivery
import SluiceRedis
import SluiceTesting
import Testing

/// The `sluice` binary as an operator meets it: exit codes, diagnostics, signals.
@Suite struct CommandLineTests {
    static let routes = """
        version: 1
        sources:
          gemini:
            kind: standard-webhooks
            verify:
              hmac: {secrets: ["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"]}
        tenants:
          acme:
            signing: {secrets: ["${env:ACME_WHSEC}"]}
            endpoints:
              main: {url: "https://hooks.acme.example/gemini"}
        routes:
          - name: all
            to: [acme/main]
        """

    /// jemalloc serves the whole process's allocations (Allocator.swift): a build that lost the
    /// link would fall back to glibc's malloc silently, and cost the worker about a tenth more CPU.
    @Test func versionNamesJemallocAsTheAllocator() async throws {
        let result = try await SluiceBinary.run(["--version"])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.hasPrefix("0.1.0 malloc=jemalloc-5."), "\(result.output)")
    }

    /// Text log lines start with the local time to the millisecond and its offset, then level
    /// and logger, as docs/cli.md shows them.
    @Test func textLogLinesCarryTheTimeToTheMillisecond() async throws {
        let result = try await SluiceBinary.run(
            ["edge", "--config", "/nonexistent/routes.yaml", "--listen", "127.0.0.1:0", "--log-format", "text", "--log-level", "info"],
            unsetting: ["SLUICE_LOG_FORMAT", "SLUICE_LOG_LEVEL"])
        #expect(result.status == 2, "\(result.output)")
        let first = result.output.split(separator: "\n").first.map(String.init) ?? ""
        let pattern = #"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}[+-][0-9]{4} info sluice\.edge: .*edge starting$"#
        #expect(first.range(of: pattern, options: .regularExpression) != nil, "\(first)")
    }

    /// An address something else listens on is named with its flag before anything starts (no
    /// private redis-server, no banner): NIO's own error named neither.
    @Test func aBusyListenAddressIsNamedWithItsFlag() async throws {
        try await withSink { sink in
            let busy = "127.0.0.1:\(sink.port)"
            for (arguments, flag) in [
                (["edge", "--listen", busy], "--listen"), (["worker", "--metrics-listen", busy], "--metrics-listen"),
                (["console", "--listen", busy], "--listen"), (["dev", "--listen", busy], "--listen"),
                (["dev", "--listen", "127.0.0.1:0", "--metrics-listen", busy], "--metrics-listen"),
            ] {
                let result = try await SluiceBinary.run(arguments)
                #expect(result.status == 1, "\(arguments): \(result.output)")
                #expect(
                    result.output.contains("cannot listen on \(busy) (\(flag)): address already in use"), "\(arguments): \(result.output)")
                #expect(!result.output.contains("Sluice is running") && !result.output.contains("redis-server"), "\(result.output)")
            }
        }
    }

    /// A command group without one of its commands is a usage error (exit 2, with its help on
    /// standard error); asking for help is not.
    @Test func aGroupWithoutItsCommandIsAUsageError() async throws {
        for group in [[], ["routes"], ["dlq"], ["events"]] {
            let result = try await SluiceBinary.run(group)
            #expect(result.status == 2, "sluice \(group.joined(separator: " ")): \(result.output)")
            #expect(result.output.contains("Error: missing command") && result.output.contains("SUBCOMMANDS"), "\(result.output)")
        }
        let help = try await SluiceBinary.run(["dlq", "--help"])
        #expect(help.status == 0 && help.output.contains("SUBCOMMANDS"), "\(help.output)")
    }

    /// `sluice help` explains a command that exists and refuses one that does not, as running
    /// it would.
    @Test func helpForACommandThatDoesNotExistIsAUsageError() async throws {
        for path in [["nosuch"], ["dlq", "nosuch"]] {
            let result = try await SluiceBinary.run(["help"] + path)
            #expect(result.status == 2 && result.output.contains("no command 'nosuch'"), "sluice help \(path): \(result.output)")
        }
        let known = try await SluiceBinary.run(["help", "dlq", "replay"])
        #expect(known.status == 0 && known.output.contains("--all"), "\(known.output)")
        let root = try await SluiceBinary.run(["help"])
        #expect(root.status == 0 && root.output.contains("SUBCOMMANDS"), "\(root.output)")
    }

    /// A usage error found while a command runs says why and where to look: the command's own
    /// help, not the root usage line.
    @Test func aFileAFlagNamesThatCannotBeReadIsAUsageErrorThatSaysWhy() async throws {
        let doctor = try await SluiceBinary.run(["doctor", "--headers", "/nonexistent/headers.txt", "--body", "/nonexistent/body.json"])
        #expect(doctor.status == 2, "\(doctor.output)")
        #expect(doctor.output.contains("cannot read --headers /nonexistent/headers.txt: No such file or directory"), "\(doctor.output)")
        #expect(doctor.output.contains("See 'sluice doctor --help'.") && !doctor.output.contains("<subcommand>"), "\(doctor.output)")
        let path = try ScratchDirectory()
        defer { path.remove() }
        let routes = try path.write("routes.yaml", Self.routes)
        let explain = try await SluiceBinary.run(["routes", "explain", routes, "--source", "gemini", "--body", path.url.path])
        #expect(explain.status == 2, "\(explain.output)")
        #expect(explain.output.contains("cannot read --body \(path.url.path): Is a directory"), "\(explain.output)")
        #expect(explain.output.contains("See 'sluice routes explain --help'."), "\(explain.output)")
        // An empty file is read as empty (and judged for what it holds), not as a read error.
        let empty = try path.write("empty.json", "")
        let emptyBody = try await SluiceBinary.run(["routes", "explain", routes, "--source", "gemini", "--body", empty])
        #expect(emptyBody.status == 2, "\(emptyBody.output)")
        #expect(emptyBody.output.contains("--body: invalid JSON at byte 0") && !emptyBody.output.contains("cannot read"), "\(emptyBody.output)")
        // An endless input (it took 4 GB in 10 s) stops at the limit.
        let endless = try await SluiceBinary.run(["routes", "explain", routes, "--source", "gemini", "--body", "/dev/zero"])
        #expect(endless.status == 2, "\(endless.output)")
        #expect(endless.output.contains("cannot read --body /dev/zero: it is larger than 64 MiB"), "\(endless.output)")
    }

    /// Commands that change dead letters refuse an empty selection (it takes `--all` to mean
    /// every one), before they read anything: no Redis is listening on the URL given.
    @Test func dlqReplayAndPurgeWithoutASelectionAreUsageErrors() async throws {
        for command in ["replay", "purge"] {
            let result = try await SluiceBinary.run(["dlq", command, "--redis", "redis://127.0.0.1:1"])
            #expect(result.status == 2, "dlq \(command): \(result.output)")
            #expect(result.output.contains("say which dead letters: --id ID…, --tenant, --endpoint, --reason, or --all"), "\(result.output)")
        }
    }

    /// Operator commands judge the shared flags as edge and worker do, before reaching Redis
    /// (none listens on the URL given): a typo is exit 2, not ignored.
    @Test(arguments: [
        (["status", "--log-format", "xml"], "unknown log format 'xml'; use text or json"),
        (["dlq", "list", "--log-level", "loud"], "unknown log level 'loud'"),
        (["dlq", "list", "--endpoint", "a/b/c"], "--endpoint: expected TENANT/ENDPOINT or ENDPOINT, not 'a/b/c'"),
        (["dlq", "purge", "--endpoint", "acme/"], "--endpoint: expected TENANT/ENDPOINT or ENDPOINT, not 'acme/'"),
        (["replay", "--endpoint", "acme/main", "--since", "1h", "--until", "2h"], "--until (2h) is before --since (1h): the window is empty"),
    ])
    func badSharedFlagsAndMalformedEndpointsAreUsageErrors(arguments: [String], message: String) async throws {
        let result = try await SluiceBinary.run(arguments + ["--redis", "redis://127.0.0.1:1"])
        #expect(result.status == 2, "\(arguments): \(result.output)")
        #expect(result.output.contains(message), "\(result.output)")
    }

    /// Seconds and sizes a process takes from flags or the environment: `inf`, `nan` and `1e300`
    /// parse as numbers and crashed the process turning them into milliseconds; a size in MiB
    /// wrapped when shifted into bytes; a listen host that does not resolve was NIO's
    /// `SocketAddressError.UnknownHost` and exit 1; `[::1` was read as host `[:`, port 1.
    @Test(arguments: [
        (["edge", "--listen", "127.0.0.1:0", "--drain-delay", "nan"], [:], "--drain-delay (SLUICE_DRAIN_DELAY) takes a number of seconds from 0 to"),
        (["edge", "--listen", "127.0.0.1:0", "--request-timeout", "inf"], [:], "--request-timeout (SLUICE_REQUEST_TIMEOUT) takes a number of seconds from 0.001 to"),
        (["edge", "--listen", "127.0.0.1:0"], ["SLUICE_DRAIN_DELAY": "soon"], "SLUICE_DRAIN_DELAY=soon is not a number of seconds"),
        (["edge", "--listen", "127.0.0.1:0", "--max-buffered-mib", "9223372036854775807"], [:], "--max-buffered-mib (SLUICE_MAX_BUFFERED_MIB) takes 1 to"),
        (["edge", "--listen", "127.0.0.1:0"], ["SLUICE_EVENT_LOOP_THREADS": "two"], "SLUICE_EVENT_LOOP_THREADS=two is not a whole number"),
        (["edge", "--listen", "127.0.0.1:0"], ["SLUICE_EVENT_LOOP_THREADS": "1000000"], "--event-loop-threads (SLUICE_EVENT_LOOP_THREADS) takes 1 to 1024, not 1000000"),
        (["worker", "--metrics-listen", "127.0.0.1:0", "--shutdown-grace", "1e300"], [:], "--shutdown-grace (SLUICE_SHUTDOWN_GRACE) takes a number of seconds"),
        (["status", "--watch", "inf"], [:], "--watch takes a number of seconds from 0.001 to"),
        (["status", "--watch", "0.0004"], [:], "--watch takes a number of seconds from 0.001 to"),
        (["status", "--watch", "0"], [:], "such as 2 or 0.5, not 0\n"),
        (["edge", "--listen", "no-such-host.invalid:8080"], [:], "--listen: cannot listen on no-such-host.invalid:8080: the host does not resolve"),
        (["edge", "--listen", "[::1"], [:], "--listen must be HOST:PORT with an IPv6 address in brackets"),
    ] as [([String], [String: String], String)])
    func outOfRangeSecondsSizesAndHostsAreUsageErrors(arguments: [String], environment: [String: String], message: String) async throws {
        let result = try await SluiceBinary.run(arguments + ["--redis", "redis://127.0.0.1:1", "--config", "/nonexistent/routes.yaml"], environment: environment)
        #expect(result.status == 2, "\(arguments): \(result.output)")
        #expect(result.output.contains(message), "\(arguments): \(result.output)")
    }

    /// Run where there is no routes file (the default is routes.yaml in the working directory),
    /// an operator command says so and where the path comes from.
    @Test func aMissingRoutesFileSaysHowToNameIt() async throws {
        let result = try await SluiceBinary.run(["status", "--config", "/nonexistent/routes.yaml", "--redis", "redis://127.0.0.1:1"])
        #expect(result.status == 2, "\(result.output)")
        #expect(result.output.contains("/nonexistent/routes.yaml:1:1: cannot read routes file: no such file"), "\(result.output)")
        #expect(result.output.contains("--config or SLUICE_CONFIG"), "\(result.output)")
    }

    @Test func routesCheckExits0ForAValidFile() async throws {
        let dir = try ScratchDirectory()
        defer { dir.remove() }
        let path = try dir.write("routes.yaml", Self.routes)
        let result = try await SluiceBinary.run(["routes", "check", path], environment: ["ACME_WHSEC": "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("ok"))
        // Without the secret where the check runs: the error, and how to check the rest anyway.
        let unset = try await SluiceBinary.run(["routes", "check", path], unsetting: ["ACME_WHSEC"])
        #expect(unset.status == 2, "\(unset.output)")
        #expect(unset.output.contains("environment variable 'ACME_WHSEC'") && unset.output.contains("--allow-missing-secrets"), "\(unset.output)")
    }

    /// Warnings go to standard error with the errors; standard output keeps the verdict.
    @Test func routesCheckWritesWarningsToStandardError() async throws {
        let dir = try ScratchDirectory()
        defer { dir.remove() }
        let path = try dir.write("routes.yaml", Self.routes.replacingOccurrences(of: "to: [acme/main]", with: "to: [acme/main, \"{channel}/nosuch\"]"))
        let both = try await SluiceBinary.runShell("sluice routes check '\(path)' --allow-missing-secrets")
        #expect(both.status == 0 && both.output.contains("warning: no tenant has an endpoint named 'nosuch'"), "\(both.output)")
        let stdout = try await SluiceBinary.runShell("sluice routes check '\(path)' --allow-missing-secrets 2>/dev/null")
        #expect(stdout.status == 0 && stdout.output.contains(": ok") && !stdout.output.contains("warning"), "\(stdout.output)")
    }

    @Test func routesCheckExits2WithFileLineColumnForEachProblem() async throws {
        let dir = try ScratchDirectory()
        defer { dir.remove() }
        let path = try dir.write("routes.yaml", Self.routes.replacingOccurrences(of: "to: [acme/main]", with: "to: [acme/nope]\n    colour: blue"))
        let result = try await SluiceBinary.run(["routes", "check", path, "--allow-missing-secrets"])
        #expect(result.status == 2)
        #expect(result.output.contains("\(path):14:10: unknown endpoint"), "\(result.output)")
        #expect(result.output.contains("\(path):15:5: "), "\(result.output)")
    }

    @Test func routesCheckJSONListsEveryDiagnosticAndKeepsTheExitCode() async throws {
        let dir = try ScratchDirectory()
        defer { dir.remove() }
        let valid = try dir.write("valid.yaml", Self.routes)
        let ok = try await SluiceBinary.run(["routes", "check", valid, "--allow-missing-secrets", "--json"])
        #expect(ok.status == 0, "\(ok.output)")
        let good = try #require(try JSONSerialization.jsonObject(with: Data(ok.output.utf8)) as? [String: Any], "\(ok.output)")
        #expect(good["valid"] as? Bool == true)
        #expect((good["diagnostics"] as? [Any])?.isEmpty == true)
        #expect((good["counts"] as? [String: Int]) == ["sources": 1, "tenants": 1, "endpoints": 1, "routes": 1])

        let invalid = try dir.write("invalid.yaml", Self.routes.replacingOccurrences(of: "to: [acme/main]", with: "to: [acme/nope]\n    colour: blue"))
        let bad = try await SluiceBinary.run(["routes", "check", invalid, "--allow-missing-secrets", "--json"])
        #expect(bad.status == 2, "\(bad.output)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(bad.output.utf8)) as? [String: Any], "\(bad.output)")
        #expect(report["valid"] as? Bool == false)
        let diagnostics = try #require(report["diagnostics"] as? [[String: Any]])
        #expect(diagnostics.map { "\($0["line"] ?? ""):\($0["column"] ?? "")" } == ["14:10", "15:5"], "\(diagnostics)")
        #expect(diagnostics.allSatisfy { $0["file"] as? String == invalid && $0["severity"] as? String == "error" })
        #expect((diagnostics.first?["message"] as? String)?.contains("unknown endpoint") == true, "\(diagnostics)")
    }

    @Test func missingSecretIsAnErrorUnlessAllowed() async throws {
        let dir = try ScratchDirectory()
        defer { dir.remove() }
        let path = try dir.write("routes.yaml", Self.routes.replacingOccurrences(of: "ACME_WHSEC", with: "SLUICE_TEST_NEVER_SET"))
        let strict = try await SluiceBinary.run(["routes", "check", path])
        #expect(strict.status == 2)
        #expect(strict.output.contains("\(path):9:25: "), "\(strict.output)")
        #expect(strict.output.contains("SLUICE_TEST_NEVER_SET"))
        #expect(!strict.output.contains("whsec_MfKQ"), "secrets never appear in output")
        let relaxed = try await SluiceBinary.run(["routes", "check", path, "--allow-missing-secrets"])
        #expect(relaxed.status == 0, "\(relaxed.output)")
    }

    /// A `${file:}` secret that cannot be read says why, as the file system tells it.
    @Test func anUnreadableSecretFileSaysWhy() async throws {
        let dir = try ScratchDirectory()
        defer { dir.remove() }
        for (target, reason) in [(dir.url.appendingPathComponent("absent").path, "no such file"), (dir.url.path, "it is a directory")] {
            let path = try dir.write("routes.yaml", Self.routes.replacingOccurrences(of: "${env:ACME_WHSEC}", with: "${file:\(target)}"))
            let result = try await SluiceBinary.run(["routes", "check", path])
            #expect(result.status == 2 && result.output.contains("cannot read secret file '\(target)'") && result.output.contains(": \(reason)"), "\(result.output)")
        }
    }

    @Test func edgeRefusesToStartOnAnInvalidFileWithExit2() async throws {
        let dir = try ScratchDirectory()
        defer { dir.remove() }
        let path = try dir.write("routes.yaml", "version: 1\nsources: {}\nbogus: true\n")
        let result = try await SluiceBinary.run(["edge", "--config", path, "--listen", "127.0.0.1:0"])
        #expect(result.status == 2)
        #expect(result.output.contains("\(path):3:1: "), "\(result.output)")
    }

    @Test func edgeDrainsAndExits0OnSIGTERM() async throws {
        try await withRedis { redis in
            let dir = try ScratchDirectory()
            defer { dir.remove() }
            let path = try dir.write("routes.yaml", Self.routes)
            let client = try HTTPClient()
            defer { client.shutdown() }
            let (edge, port) = try await SluiceBinary.startServer(
                "the edge", log: dir.file("edge.log"), environment: ["ACME_WHSEC": "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"], client: client
            ) { port in
                ["edge", "--config", path, "--redis", "\(redis.url)", "--listen", "127.0.0.1:\(port)", "--drain-delay", "5"]
            }
            let readyz = HTTPRequest(method: "GET", url: "http://127.0.0.1:\(port)/readyz", timeout: .seconds(2))

            edge.send(SIGTERM)
            // During the drain delay the edge still answers, but says it is not ready.
            try await poll(until: { (try? await client.execute(readyz))?.status == 503 }, "readyz fails while draining")
            #expect(await edge.exit.wait(timeout: .seconds(20)))
            #expect(edge.exit.status == 0)
        }
    }
}
