import SluiceCore
import Testing

@Suite("routes.yaml diagnostics")
struct RoutesLoaderDiagnosticsTests {
    @Test func everyProblemIsReportedAtOnceWithItsLocation() {
        let text = """
            version: 2
            sorces: {}
            network:
              allow_cidrs: [127.0.0.1/33, "fd00::/8"]
            sources:
              Gemini:
                kind: weird
                verify:
                  hmac:
                    secrets: ["${env:NOPE}", "whsec_AAECAwQFBgcICQ==", plain]
                  tolerance: 5 minutes
                max_body: 1MB
            tenants:
              acme:
                signing:
                  secrets: []
                endpoints:
                  main:
                    url: ftp://hooks.example/x
                    timout: 15s
                    max_in_flight: 0
                    rate_limit: fast
                    retry: {schedule: [0s, 5x], jitter: 150%}
                    headers: {webhook-id: x, "bad name": y}
                  local:
                    url: http://10.1.2.3:8080/hook
                    timeout: 2m
              ops:
                endpoints: {}
            routes:
              - name: Bad_Name
                match:
                  source: gemni
                  channel: "acme-[abc"
                  events: ["batch.*", "[z-a]"]
                  where:
                    data.state: {glbo: "x*"}
                    data.list: [1, 2]
                to: [acme/mian, nobody/main, "acme", "{channel}/*"]
              - name: two
                to: [acme/main]
                final: maybe
              - name: two
              - match: {}
                to: [ops/*]
            worker:
              visibility_timeout: 1m
            """
        let result = RoutesFixtures.load(text)
        #expect(result.config == nil)
        let expected: [String] = [
            #"1:10: unsupported version '2'; this sluice reads version 1"#,
            #"2:1: unknown key 'sorces' in the top level; did you mean 'sources'?"#,
            #"4:17: invalid CIDR '127.0.0.1/33' in 'allow_cidrs' of 'network'; write ADDRESS/PREFIX such as 127.0.0.1/32 or fd00::/8"#,
            #"6:3: source name 'Gemini' is invalid: names use lowercase letters, digits, '_' and '-', and start with a letter or digit"#,
            #"7:11: unknown kind 'weird' in source 'Gemini'; expected gemini or standard-webhooks"#,
            #"10:19: environment variable 'NOPE' referenced by secret 1 of 'verify.hmac' of source 'Gemini' is not set"#,
            #"10:34: weak or malformed secret in secret 2 of 'verify.hmac' of source 'Gemini': invalid webhook secret: it decodes to 10 bytes, fewer than the minimum 24; expected "whsec_" followed by base64 of 24 to 64 random bytes (generate one with `sluice keygen`)"#,
            #"10:60: weak or malformed secret in secret 3 of 'verify.hmac' of source 'Gemini': invalid webhook secret: it is not valid base64; expected "whsec_" followed by base64 of 24 to 64 random bytes (generate one with `sluice keygen`)"#,
            #"11:18: 'tolerance' in 'verify' of source 'Gemini': invalid duration '5 minutes'; expected a duration such as 250ms, 15s, 5m, 2h, 7d or 1h30m"#,
            #"12:15: 'max_body' in source 'Gemini': invalid size '1MB'; sizes use binary units: KiB or MiB (for example 1MiB)"#,
            #"16:16: 'secrets' in 'signing' of tenant 'acme' is empty; list at least one whsec_ secret"#,
            #"19:14: URL 'ftp://hooks.example/x' in endpoint 'acme/main' must use http or https, not 'ftp'"#,
            #"20:9: unknown key 'timout' in endpoint 'acme/main'; did you mean 'timeout'?"#,
            #"21:24: 'max_in_flight' in endpoint 'acme/main' must be at least 1, not 0"#,
            #"22:21: 'rate_limit' in endpoint 'acme/main': invalid rate limit 'fast'; expected COUNT/PERIOD such as 50/s, 1000/m or 5/10s"#,
            #"23:32: 'schedule' in 'retry' of endpoint 'acme/main': invalid duration '5x'; expected a duration such as 250ms, 15s, 5m, 2h, 7d or 1h30m"#,
            #"23:45: 'jitter' in 'retry' of endpoint 'acme/main': jitter '150%' is out of range; it must be between 0% and 100%"#,
            #"24:19: header 'webhook-id' in 'headers' of endpoint 'acme/main' is set by sluice on every delivery and cannot be overridden"#,
            #"24:34: header name 'bad name' in 'headers' of endpoint 'acme/main' is not a valid HTTP header name"#,
            #"26:14: warning: endpoint 'acme/local' points at private address '10.1.2.3'; deliveries will be refused with blocked_address unless network.allow_private or network.allow_cidrs admits it"#,
            #"28:3: tenant 'ops' is missing required key 'signing'"#,
            #"29:5: 'endpoints' of tenant 'ops' is empty; define at least one endpoint"#,
            #"31:11: route name 'Bad_Name' is invalid: names use lowercase letters, digits, '_' and '-', and start with a letter or digit"#,
            #"33:15: unknown source 'gemni' in 'match' of route 'Bad_Name'; did you mean 'Gemini'?"#,
            #"34:16: invalid glob 'acme-[abc' in 'channel' of 'match' of route 'Bad_Name': unclosed '[' at position 6"#,
            #"35:27: invalid glob '[z-a]' in 'events' of 'match' of route 'Bad_Name': character range 'z-a' is reversed"#,
            #"37:22: unknown operator 'glbo' in condition on 'data.state' in 'where' of 'match' of route 'Bad_Name'; did you mean 'glob'?"#,
            #"38:20: condition on 'data.list' in 'where' of 'match' of route 'Bad_Name' is a list; write {in: [...]} to accept any of several values"#,
            #"39:10: unknown endpoint 'mian' of tenant 'acme' in target 'acme/mian' of route 'Bad_Name'; did you mean 'main'?"#,
            #"39:21: unknown tenant 'nobody' in target 'nobody/main' of route 'Bad_Name'"#,
            #"39:34: invalid target 'acme' in 'to' of route 'Bad_Name'; write TENANT/ENDPOINT, TENANT/*, {channel}/* or {channel}/ENDPOINT"#,
            #"42:12: 'final' in route 'two' must be true or false, not 'maybe'"#,
            #"43:5: route 'two' is missing required key 'to'"#,
            #"43:11: duplicate route name 'two' (first used at 40:11)"#,
            #"44:5: route 4 is missing required key 'name'"#,
            #"47:23: 'visibility_timeout' (1m) must be at least 2m7s: the longest endpoint timeout (2m) plus 5s for the address lookup and 2s to record the result, or a delivery still in flight would be handed to a second worker; use auto"#,
        ]
        #expect(RoutesFixtures.located(result) == expected)
        #expect(result.errors.count == expected.count - 1)
        #expect(result.warnings.count == 1)
    }

    @Test func descriptionHasFileLineColumnShape() {
        let error = RoutesDiagnostic(path: "conf/routes.yaml", line: 3, column: 7, severity: .error, message: "bad")
        let warning = RoutesDiagnostic(path: "conf/routes.yaml", line: 4, column: 1, severity: .warning, message: "odd")
        #expect(error.description == "conf/routes.yaml:3:7: bad")
        #expect(warning.description == "conf/routes.yaml:4:1: warning: odd")
    }

    @Test func aDurationPastACenturyIsRefusedNotOverflowed() {
        // Twelve digits of days are a valid number and used to crash the loader (and `replay
        // --since`) on overflow when turned into milliseconds.
        let result = RoutesFixtures.load("""
            version: 1
            sources:
              gemini:
                kind: standard-webhooks
                verify: {hmac: {secrets: ["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"]}, tolerance: 999999999999d}
                dedupe_window: 36500d1ms
            tenants:
              acme:
                signing: {secrets: ["whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"]}
                endpoints:
                  main: {url: "https://hooks.example/x", timeout: 36500d}
            worker:
              attempt_log_retention: 999999999999d
            routes:
              - {name: all, to: [acme/main]}
            """)
        #expect(result.config == nil)
        #expect(RoutesFixtures.located(result) == [
            #"5:86: 'tolerance' in 'verify' of source 'gemini': duration '999999999999d' is too long; at most 36500d (100 years)"#,
            #"6:20: 'dedupe_window' in source 'gemini': duration '36500d1ms' is too long; at most 36500d (100 years)"#,
            #"13:26: 'attempt_log_retention' in 'worker': duration '999999999999d' is too long; at most 36500d (100 years)"#,
        ])
        #expect(Duration(routesNotation: "999999999999d") == nil)
        #expect(Duration(routesNotation: "36500d") == .seconds(36_500 * 86_400))
    }

    /// Values that load but overflowed later (a rate limit's bucket, a lane's size, a base-60
    /// number in Yams) or that libcurl refuses on every attempt (a port past 65535, a bracketed
    /// host that is no IPv6 address) are refused or read safely at load.
    @Test func valuesThatWouldOverflowOrNeverConnectAreRefused() {
        let result = RoutesFixtures.load("""
            version: 1
            sources:
              gemini:
                kind: standard-webhooks
                verify: {hmac: {secrets: ["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"]}}
                max_body: 65MiB
            tenants:
              acme:
                signing: {secrets: ["whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"]}
                endpoints:
                  a: {url: "https://hooks.example:65536/"}
                  b: {url: "https://hooks.example:99999999999999999999/"}
                  c: {url: "http://[zz]/"}
                  d: {url: "https://hooks.example/", max_in_flight: 100001, rate_limit: 3000000/36500d}
                  e: {url: "https://hooks.example:/", max_in_flight: 100000, rate_limit: 104249991/d}
            routes:
              - {name: all, match: {where: {data.at: 1:00:00:00:00:00:00:00:00:00:00:00}}, to: [acme/a]}
            """)
        #expect(RoutesFixtures.located(result) == [
            #"6:15: 'max_body' in source 'gemini' must be at most 64MiB, not 65MiB"#,
            #"11:16: URL 'https://hooks.example:65536/' in endpoint 'acme/a' has port 65536; ports go from 1 to 65535"#,
            #"12:16: URL 'https://hooks.example:99999999999999999999/' in endpoint 'acme/b' has port 99999999999999999999; ports go from 1 to 65535"#,
            #"13:16: URL 'http://[zz]/' in endpoint 'acme/c' has '[zz]' as its host, which is not an IPv6 address"#,
            #"14:57: 'max_in_flight' in endpoint 'acme/d' must be at most 100000, not 100001"#,
            #"14:77: 'rate_limit' in endpoint 'acme/d': rate limit '3000000/36500d' is too large: its count times its period in milliseconds must be at most 2^53; write the same rate over a shorter period (per second or per minute)"#,
        ])
        // Read as the text it looks like, not as base 60.
        let fixed = RoutesFixtures.load(RoutesFixtures.minimal.replacingOccurrences(of: "    to: [acme/main]", with: "    match: {where: {data.at: 1:00:00:00:00:00:00:00:00:00:00:00}}\n    to: [acme/main]"))
        #expect(fixed.config?.routes.first?.match.conditions.first?.test == .equals(.string("1:00:00:00:00:00:00:00:00:00:00:00")), "\(fixed.diagnostics)")
    }

    /// Yams builds its tree recursively: 7,000 nested brackets (14 KB) overflowed the stack.
    @Test func nestingPastTheBoundIsAnErrorNotAStackOverflow() {
        let deep = RoutesFixtures.load("version: 1\nsources: " + String(repeating: "[", count: 7000) + String(repeating: "]", count: 7000) + "\n")
        #expect(RoutesFixtures.located(deep) == [
            "2:266: the file nests deeper than 256 levels (counting indentation and open brackets); a routes file needs about eight",
        ])
        // A blank or comment line opens nothing, however far it is indented.
        let spaced = RoutesFixtures.load(RoutesFixtures.minimal + "\n" + String(repeating: " ", count: 400) + "\n" + String(repeating: " ", count: 400) + "# a note\n")
        #expect(spaced.config != nil, "\(RoutesFixtures.located(spaced))")
        let indented = RoutesFixtures.load("version: 1\nsources:\n" + (0..<300).map { String(repeating: " ", count: $0 + 2) + "k\($0):" }.joined(separator: "\n") + "\n")
        #expect(RoutesFixtures.located(indented).first?.hasPrefix("258:257: the file nests deeper than 256 levels") == true, "\(RoutesFixtures.located(indented))")
    }

    /// A byte-order mark (Windows editors write one) made the first key a syntax error; UTF-16
    /// made a complaint about control characters.
    @Test func aByteOrderMarkIsSkippedAndUTF16IsNamed() {
        let marked = RoutesFixtures.load("\u{FEFF}" + RoutesFixtures.minimal)
        #expect(marked.config != nil, "\(RoutesFixtures.located(marked))")
        let utf16 = RoutesFixtures.load(String(decoding: [0xFF, 0xFE] + Array("version: 1".utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }, as: UTF8.self))
        #expect(RoutesFixtures.located(utf16) == ["1:1: the file is not UTF-8 text (UTF-16, or not text at all); save it as UTF-8"])
    }

    @Test func yamlSyntaxErrorIsReportedAtItsMark() {
        let result = RoutesFixtures.load("version: 1\nsources:\n  gemini: [unclosed\n")
        #expect(result.config == nil)
        #expect(result.errors.count == 1)
        let diagnostic = result.diagnostics[0]
        #expect(diagnostic.message.hasPrefix("YAML syntax error: "))
        #expect(diagnostic.line == 4)
        #expect(diagnostic.column == 1)
    }

    @Test func tabIndentationIsASyntaxErrorWithLocation() {
        let result = RoutesFixtures.load("version: 1\nsources:\n\tgemini: {}\n")
        #expect(result.errors.map { "\($0.line):\($0.column)" } == ["3:1"])
    }

    @Test func emptyFileIsAnError() {
        #expect(RoutesFixtures.located(RoutesFixtures.load("")) == ["1:1: the file is empty; it needs at least 'version: 1'"])
    }

    /// An edge without a source answers every call 404; the file says so instead of loading.
    /// A static header's value may hold no line break — "\r\n" included, which Swift reads as
    /// one Character — and no other control character but the tab.
    @Test func headerValuesWithLineBreaksOrControlCharactersAreErrors() {
        let text = RoutesFixtures.minimal.replacingOccurrences(
            of: "url: https://hooks.acme.example/gemini",
            with: #"url: https://hooks.acme.example/gemini\#n        headers: {x-crlf: "a\r\nX-Inj: 1", x-ctl: "a\u0001b", x-tab: "a\tb"}"#)
        let messages = RoutesFixtures.load(text).errors.map(\.message)
        #expect(messages.contains { $0.contains("value of header 'x-crlf'") && $0.contains("contains a line break") }, "\(messages)")
        #expect(messages.contains { $0.contains("value of header 'x-ctl'") && $0.contains("contains a control character") }, "\(messages)")
        #expect(!messages.contains { $0.contains("x-tab") }, "\(messages)")
    }

    @Test func emptySourcesIsAnError() {
        #expect(RoutesFixtures.located(RoutesFixtures.load("version: 1\nsources: {}\ntenants: {}\nroutes: []\n"))
            == ["2:10: 'sources' is empty; name at least one source (e.g. gemini: {kind: gemini})"])
    }

    @Test func topLevelThatIsNotAMappingIsAnError() {
        #expect(RoutesFixtures.located(RoutesFixtures.load("- a\n- b\n")) == ["1:1: the top level must be a mapping of keys to values, not a list"])
    }

    @Test func duplicateMappingKeysAreReportedAtTheSecondKey() {
        let text = RoutesFixtures.minimal + "\nworker: {attempt_log_retention: 1d}\nworker: {attempt_log_retention: 2d}\n"
        #expect(RoutesFixtures.located(RoutesFixtures.load(text)) == ["18:1: duplicate key 'worker' in the top level (first defined at 17:1)"])
    }

    @Test func missingVersionAndSourcesAreReportedAtTheFileStart() {
        let text = "redis: {prefix: app}\n"
        #expect(RoutesFixtures.located(RoutesFixtures.load(text)) == [
            "1:1: the file is missing required key 'version'",
            "1:1: the file is missing required key 'sources'",
        ])
    }

    @Test func missingEndpointURLIsReportedAtTheEndpointKey() {
        let text = RoutesFixtures.minimal.replacingOccurrences(of: "        url: https://hooks.acme.example/gemini", with: "        timeout: 5s")
        #expect(RoutesFixtures.located(RoutesFixtures.load(text)) == ["12:7: endpoint 'acme/main' is missing required key 'url'"])
    }

    @Test func urlWithoutHostIsAnError() {
        let text = RoutesFixtures.minimal.replacingOccurrences(of: "https://hooks.acme.example/gemini", with: "https:///nohost")
        #expect(RoutesFixtures.located(RoutesFixtures.load(text)) == ["13:14: URL 'https:///nohost' in endpoint 'acme/main' has no host"])
    }

    @Test func unknownKeyFarFromAnyKnownKeyListsTheKnownKeys() {
        let text = RoutesFixtures.minimal + "\nworker: {concurrency: 4}\n"
        #expect(RoutesFixtures.located(RoutesFixtures.load(text)) == [
            "17:10: unknown key 'concurrency' in 'worker'; expected one of: visibility_timeout, attempt_log_retention, recovery_window, event_index",
        ])
    }

    @Test func wrongTypesAreReported() {
        let text = RoutesFixtures.minimal + """

            network: {allow_private: "sometimes", allow_cidrs: {a: b}}
            redis: [sluice]
            """
        #expect(RoutesFixtures.located(RoutesFixtures.load(text)) == [
            "17:26: 'allow_private' in 'network' must be true or false, not 'sometimes'",
            "17:52: 'allow_cidrs' in 'network' must be a list, not a mapping",
            "18:8: 'redis' must be a mapping of keys to values, not a list",
        ])
    }

    @Test func badTenantAndEndpointNamesAreReported() {
        let text = RoutesFixtures.minimal
            .replacingOccurrences(of: "  acme:", with: "  -acme:")
            .replacingOccurrences(of: "    main:", with: "    Main Hook:")
            .replacingOccurrences(of: "to: [acme/main]", with: "to: [ops/x]")
        #expect(RoutesFixtures.located(RoutesFixtures.load(text)) == [
            "8:3: tenant name '-acme' is invalid: names use lowercase letters, digits, '_' and '-', and start with a letter or digit",
            "12:7: endpoint name 'Main Hook' is invalid: names use lowercase letters, digits, '_' and '-', and start with a letter or digit",
            "16:10: unknown tenant 'ops' in target 'ops/x' of route 'all'",
        ])
    }

    @Test func visibilityTimeoutEqualToLongestTimeoutIsAnError() {
        let text = RoutesFixtures.minimal + "\nworker: {visibility_timeout: 15s}\n"
        let result = RoutesFixtures.load(text)
        #expect(result.config == nil)
        #expect(result.errors.map { "\($0.line):\($0.column)" } == ["17:30"])
    }

    @Test func standardWebhooksSourceWithoutAnyKeyCannotVerify() {
        let text = RoutesFixtures.minimal.replacingOccurrences(of: """
              gemini:
                verify:
                  hmac:
                    secrets: ["${env:GEMINI_WEBHOOK_SECRET}"]
            """, with: """
              gemini:
                kind: standard-webhooks
            """)
        #expect(RoutesFixtures.located(RoutesFixtures.load(text)) == [
            "3:3: source 'gemini' cannot verify anything: set verify.hmac.secrets or verify.jwks.url (kind standard-webhooks has no default JWKS)",
        ])
    }

    @Test func jwksCanBeTurnedOffAndConfiguredWithAudience() throws {
        let off = RoutesFixtures.minimal.replacingOccurrences(of: "    verify:\n", with: "    verify:\n      jwks: false\n")
        #expect(try #require(RoutesFixtures.load(off).config).sources["gemini"]?.jwks == nil)
        let custom = RoutesFixtures.minimal.replacingOccurrences(of: "    verify:\n", with: "    verify:\n      jwks: {url: \"https://keys.example/jwks.json\", audience: sluice}\n")
        #expect(try #require(RoutesFixtures.load(custom).config).sources["gemini"]?.jwks == JWKSConfig(url: "https://keys.example/jwks.json", audience: "sluice"))
    }

    /// A JWKS block without an audience — left out, or `""` as in the contract's own example —
    /// loads with a warning where it is written: its JWTs will be refused (401
    /// `audience_not_configured`), since a JWKS such as Google's signs tokens for every customer;
    /// `v1a` entries are verified against its keys either way.
    @Test(arguments: ["{url: \"https://keys.example/jwks.json\"}", "{url: \"https://keys.example/jwks.json\", audience: \"\"}"])
    func aJWKSBlockWithoutAudienceLoadsWithAWarningThatJWTsWillBeRefused(block: String) throws {
        let text = RoutesFixtures.minimal.replacingOccurrences(of: "    verify:\n", with: "    verify:\n      jwks: \(block)\n")
        let result = RoutesFixtures.load(text)
        let jwks = try #require(result.config?.sources["gemini"]?.jwks)
        #expect(jwks.url == "https://keys.example/jwks.json" && jwks.audience == nil)
        let located = RoutesFixtures.located(result)
        #expect(located.count == 1)
        #expect(located.first?.contains("warning: 'verify.jwks' of source 'gemini' sets no 'audience': JWT-signed calls will be refused (401 audience_not_configured)") == true, "\(located)")
        // At the audience's value when it is written, else at the block.
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let line = try #require(lines.firstIndex { $0.contains("jwks:") }) + 1
        let column = block.contains("audience") ? try #require(lines[line - 1].range(of: "\"\"}")).lowerBound.utf16Offset(in: lines[line - 1]) + 1 : nil
        #expect(located.first?.hasPrefix(column.map { "\(line):\($0):" } ?? "\(line):") == true, "\(located)")
        // Leaving the block out keeps Google's JWKS for v1a signatures, without JWTs, and says nothing.
        #expect(try #require(RoutesFixtures.load(RoutesFixtures.minimal).config).sources["gemini"]?.jwks?.audience == nil)
        #expect(RoutesFixtures.load(RoutesFixtures.minimal).diagnostics.isEmpty)
    }

    @Test func privateAddressWarningIsSilencedByAllowCIDRs() {
        let text = RoutesFixtures.minimal.replacingOccurrences(of: "https://hooks.acme.example/gemini", with: "http://127.0.0.1:9000/hook")
        let warned = RoutesFixtures.load(text)
        #expect(warned.config != nil)
        #expect(RoutesFixtures.located(warned) == [
            "13:14: warning: endpoint 'acme/main' points at private address '127.0.0.1'; deliveries will be refused with blocked_address unless network.allow_private or network.allow_cidrs admits it",
        ])
        #expect(RoutesFixtures.load(text + "\nnetwork: {allow_cidrs: [127.0.0.0/8]}\n").diagnostics.isEmpty)
        #expect(RoutesFixtures.load(text + "\nnetwork: {allow_private: true}\n").diagnostics.isEmpty)
    }

    @Test func ipv6LoopbackAndLocalhostAreWarnedAbout() {
        for host in ["[::1]", "localhost", "[fd00::5]", "169.254.169.254"] {
            let text = RoutesFixtures.minimal.replacingOccurrences(of: "https://hooks.acme.example/gemini", with: "http://\(host)/hook")
            let result = RoutesFixtures.load(text)
            #expect(result.warnings.count == 1, "\(host)")
            #expect(result.errors.isEmpty, "\(host)")
        }
        let publicHost = RoutesFixtures.minimal.replacingOccurrences(of: "https://hooks.acme.example/gemini", with: "http://8.8.8.8/hook")
        #expect(RoutesFixtures.load(publicHost).diagnostics.isEmpty)
    }

    /// Numeric hosts in the spellings HTTP clients also read (octal, one number, hex) reach the
    /// address they encode, so they are warned about like the dotted quad.
    @Test(arguments: [("0177.0.0.1", "127.0.0.1"), ("2130706433", "127.0.0.1"), ("0x7f.1", "127.0.0.1"), ("012.1.2.3", "10.1.2.3")])
    func numericHostsInOtherSpellingsAreWarnedAboutAsTheAddressTheyReach(host: String, address: String) {
        let text = RoutesFixtures.minimal.replacingOccurrences(of: "https://hooks.acme.example/gemini", with: "http://\(host):9000/hook")
        #expect(RoutesFixtures.located(RoutesFixtures.load(text)) == [
            "13:14: warning: endpoint 'acme/main' points at private address '\(host)' (\(address)); deliveries will be refused with blocked_address unless network.allow_private or network.allow_cidrs admits it",
        ])
    }

    /// A host no HTTP client can use (its percent-encoding decoded) is refused at load time rather
    /// than failing every attempt; encoded ordinary characters, underscores and internationalized
    /// names load.
    @Test func aHostWithCharactersNoHostNameHoldsIsRefused() {
        func load(_ url: String) -> [String] {
            RoutesFixtures.located(RoutesFixtures.load(RoutesFixtures.minimal.replacingOccurrences(of: "https://hooks.acme.example/gemini", with: url)))
        }
        #expect(load("http://127.0.0.1%00.evil.example/a") == [
            "13:14: URL 'http://127.0.0.1%00.evil.example/a' in endpoint 'acme/main' has a host with the control character U+0000, which no host name can contain",
        ])
        #expect(load("http://hooks%20acme.example/a") == [
            "13:14: URL 'http://hooks%20acme.example/a' in endpoint 'acme/main' has a host with a space, which no host name can contain",
        ])
        #expect(load("http://hooks.example%2Fevil/a").first?.hasSuffix("has a host with '/', which no host name can contain") == true)
        for url in ["https://hooks%2eacme.example/a", "https://a_b.acme.example/a", "https://bücher.example/a", "https://hooks.acme.example./a"] {
            #expect(load(url).isEmpty, "\(url)")
        }
    }

    /// A host that is not labels joined by single dots (`.`, `a..b`, a leading dot) or has a
    /// label past 63 characters resolves nowhere: refused at load time, not on every attempt.
    @Test func aHostWithAnEmptyOrOverlongLabelIsRefused() {
        func load(_ url: String) -> [String] {
            RoutesFixtures.located(RoutesFixtures.load(RoutesFixtures.minimal.replacingOccurrences(of: "https://hooks.acme.example/gemini", with: url)))
        }
        #expect(load("http://./hook") == [
            "13:14: URL 'http://./hook' in endpoint 'acme/main' has host '.', which has an empty label; a host name is labels joined by single dots",
        ])
        for url in ["http://hooks..acme.example/a", "http://.hooks.example/a", "http://hooks.example../a"] {
            #expect(load(url).first?.hasSuffix("which has an empty label; a host name is labels joined by single dots") == true, "\(url)")
        }
        let long = String(repeating: "a", count: 64)
        #expect(load("http://\(long).example/a").first?.hasSuffix(
            "whose label 'aaaaaaaaaaaaaaaaaaaa…' is 64 characters long; a label holds at most 63") == true)
        #expect(load("http://\(String(repeating: "a", count: 63)).example/a").isEmpty)
    }

    /// The file's general rules hold for every key: `key:` with nothing after it is an empty
    /// mapping or a missing value, never a silent "unset"; a single value counts as a one-item
    /// list; numbers are at most twelve digits.
    @Test func emptyValuesSingleValuesAndLongNumbersFollowTheGeneralRules() {
        func located(_ from: String, _ to: String, source: String = RoutesFixtures.minimal) -> [String] {
            let text = source.replacingOccurrences(of: from, with: to)
            #expect(text != source, "\(from) is in the fixture")
            return RoutesFixtures.located(RoutesFixtures.load(text))
        }
        let url = "        url: https://hooks.acme.example/gemini"
        // An empty HMAC block has no secrets: refused like `hmac: {}` (it let a source with nothing
        // to verify with load).
        let hmac = RoutesFixtures.minimal.replacingOccurrences(of: "    verify:\n", with: "    kind: standard-webhooks\n    verify:\n")
        #expect(located("      hmac:\n        secrets: [\"${env:GEMINI_WEBHOOK_SECRET}\"]", "      hmac:", source: hmac).contains {
            $0.hasSuffix("'verify.hmac' of source 'gemini' is missing required key 'secrets'")
        })
        #expect(located(url, url + "\n        rate_limit:") == ["14:9: 'rate_limit' in endpoint 'acme/main' needs a value"])
        #expect(located(url, url + "\n        max_in_flight: 1234567890123") == [
            "14:24: 'max_in_flight' in endpoint 'acme/main' must be a whole number, not '1234567890123'",
        ])
        #expect(located(url, url + "\n        rate_limit: 1234567890123/s").first?.contains("invalid rate limit '1234567890123/s'") == true)
        #expect(located("    to: [acme/main]", "    to: [acme/main]\n    match: {where: {a: {in: x}}}").isEmpty)
        #expect(located("    to: [acme/main]", "    to: [acme/main]\n    match: {where: {a: {in: []}}}").first?.hasSuffix(
            "is empty, so the condition never holds; list at least one value") == true)
    }

    @Test func allowPrivateDoesNotSilenceTheWarningForACloudMetadataAddress() {
        // The delivery-time guard refuses metadata addresses even with allow_private; the warning says so too.
        let text = RoutesFixtures.minimal.replacingOccurrences(of: "https://hooks.acme.example/gemini", with: "http://169.254.169.254/latest")
        #expect(RoutesFixtures.located(RoutesFixtures.load(text + "\nnetwork: {allow_private: true}\n")) == [
            "13:14: warning: endpoint 'acme/main' points at cloud metadata address '169.254.169.254'; deliveries will be refused with blocked_address unless network.allow_cidrs admits it (network.allow_private does not)",
        ])
        #expect(RoutesFixtures.load(text + "\nnetwork: {allow_cidrs: [169.254.169.254/32]}\n").diagnostics.isEmpty)
    }

    @Test func mtlsNeedsBothCertificateAndKey() {
        let text = RoutesFixtures.minimal.replacingOccurrences(of: "        url: https://hooks.acme.example/gemini", with: """
                    url: https://hooks.acme.example/gemini
                    tls: {client_cert_file: /etc/cert.pem}
            """)
        #expect(RoutesFixtures.located(RoutesFixtures.load(text, files: ["/etc/cert.pem": RoutesFixtures.pemCertificate])) == [
            "14:9: 'tls' of endpoint 'acme/main' needs both 'client_cert_file' and 'client_key_file' for mTLS, or neither",
        ])
    }

    /// The files a `tls` block names are read at load, like `${file:}` secrets: one that is
    /// missing or holds something else fails there, not on every attempt for the whole retry
    /// schedule. `--allow-missing-secrets` tolerates unreadable ones; contents are never quoted.
    @Test func tlsFilesAreReadAtLoadAndMustHoldWhatTheirKeyNames() {
        let files = ["/pki/ca.pem": RoutesFixtures.pemCertificate, "/pki/client.pem": RoutesFixtures.pemCertificate, "/pki/client.key": RoutesFixtures.pemKey]
        func located(_ tls: String, files: [String: String] = files, allowMissingSecrets: Bool = false) -> [String] {
            let text = RoutesFixtures.minimal.replacingOccurrences(of: "        url: https://hooks.acme.example/gemini", with: """
                        url: https://hooks.acme.example/gemini
                        tls: \(tls)
                """)
            return RoutesFixtures.located(RoutesFixtures.load(text, files: files, allowMissingSecrets: allowMissingSecrets))
        }
        #expect(located("{ca_file: /pki/ca.pem, client_cert_file: /pki/client.pem, client_key_file: /pki/client.key}").isEmpty)
        #expect(located("{ca_file: /pki/none.pem}") == ["14:24: cannot read '/pki/none.pem', the 'ca_file' of 'tls' of endpoint 'acme/main': no such file"])
        #expect(located("{ca_file: /pki/none.pem}", allowMissingSecrets: true).isEmpty)
        #expect(located("{ca_file: /pki/client.key}") == [
            "14:24: '/pki/client.key', the 'ca_file' of 'tls' of endpoint 'acme/main', holds no PEM certificate (no '-----BEGIN CERTIFICATE-----' line)",
        ])
        #expect(located("{client_cert_file: /pki/client.pem, client_key_file: /pki/ca.pem}").first?.hasSuffix("holds no PEM private key (no 'PRIVATE KEY-----' line)") == true)
        #expect(located("{ca_file: \"${file:/pki/ca.pem}\"}") == [
            "14:24: 'ca_file' in 'tls' of endpoint 'acme/main' is a file path, not a secret reference; write the path itself ('${file:/pki/ca.pem}')",
        ])
        // Over plain http the block does nothing: said so.
        let plain = RoutesFixtures.minimal.replacingOccurrences(of: "        url: https://hooks.acme.example/gemini", with: """
                    url: http://hooks.acme.example/gemini
                    tls: {ca_file: /pki/ca.pem}
            """)
        #expect(RoutesFixtures.located(RoutesFixtures.load(plain, files: files)) == ["14:9: warning: 'tls' of endpoint 'acme/main' has no effect: its URL is not https"])
    }

    /// One client certificate with two keys is refused: the HTTP client would reuse a connection
    /// made with one endpoint's key for the other's deliveries.
    @Test func aClientCertificateNamedWithTwoKeysIsRefused() {
        let files = ["/pki/client.pem": RoutesFixtures.pemCertificate, "/pki/client.key": RoutesFixtures.pemKey, "/pki/other.key": RoutesFixtures.pemKey]
        let text = RoutesFixtures.minimal.replacingOccurrences(of: "        url: https://hooks.acme.example/gemini", with: """
                    url: https://hooks.acme.example/gemini
                    tls: {client_cert_file: /pki/client.pem, client_key_file: /pki/client.key}
                  second:
                    url: https://hooks.acme.example/second
                    tls: {client_cert_file: /pki/client.pem, client_key_file: /pki/other.key}
                  third:
                    url: https://hooks.acme.example/third
                    tls: {client_cert_file: /pki/client.pem, client_key_file: /pki/client.key}
            """)
        #expect(RoutesFixtures.located(RoutesFixtures.load(text, files: files)) == [
            "17:67: 'tls' of endpoint 'acme/second' pairs client certificate '/pki/client.pem' with key '/pki/other.key', but endpoint 'acme/main' pairs it with '/pki/client.key'; a certificate has one key",
        ])
    }

    @Test func unquotedChannelTargetGetsAQuotingHint() {
        let text = RoutesFixtures.minimal.replacingOccurrences(of: "to: [acme/main]", with: "to:\n      - {channel}")
        #expect(RoutesFixtures.located(RoutesFixtures.load(text)) == [
            "17:9: a target in 'to' of route 'all' is a mapping; quote targets that start with '{', as in \"{channel}/*\"",
        ])
    }
}
