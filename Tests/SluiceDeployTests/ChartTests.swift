import Foundation
import Testing

/// The Helm chart, checked offline by scripts/chart-check: helm lint --strict, a render with
/// Helm's own install action, and strict validation against the Kubernetes JSON schemas.
@Suite(.serialized) struct ChartTests {
    @Test(arguments: ["1.25", "1.31", "1.37"])
    func defaultValuesLintRenderAndValidate(kubeVersion: String) async throws {
        let result = try await RepoTool.chartCheck(["--kube-version", kubeVersion])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("lint ok"), "\(result.output)")
    }

    @Test(arguments: ["1.25", "1.31", "1.37"])
    func everyOptionalPartSwitchedOnLintsRendersAndValidates(kubeVersion: String) async throws {
        let result = try await RepoTool.chartCheck([
            "-f", "charts/sluice/ci/all-on.yaml", "--kube-version", kubeVersion,
            "--api-versions", "keda.sh/v1alpha1/ScaledObject",
            "--api-versions", "monitoring.coreos.com/v1/ServiceMonitor",
        ])
        #expect(result.status == 0, "\(result.output)")
        // ScaledObject and two ServiceMonitors are custom resources: rendered, not schema-checked.
        #expect(result.output.contains("3 custom resources without a schema"), "\(result.output)")
    }

    @Test func routesGivenAsTextAreRenderedIntoTheConfigMapByteForByte() async throws {
        let routesFile = RepoTool.root.appendingPathComponent("routes.yaml")
        let expected = try String(contentsOf: routesFile, encoding: .utf8)
        let rendered = try await render(["--set-file", "routes=\(routesFile.path)"])
        defer { try? FileManager.default.removeItem(at: rendered) }
        let result = try await RepoTool.python(
            """
            import sys, yaml
            docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
            maps = [d for d in docs if d["kind"] == "ConfigMap"]
            assert len(maps) == 1, maps
            sys.stdout.write(maps[0]["data"]["routes.yaml"])
            """,
            [rendered.appendingPathComponent("all.yaml").path]
        )
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output == expected)
    }

    /// Routes given as an object in a values file are the whole file: nothing of the chart's
    /// default routes (its `gemini` source) is merged into them, as Helm would merge an object
    /// into an object default.
    @Test func routesGivenAsAnObjectReplaceTheDefaultWhole() async throws {
        let folder = try RepoTool.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let values = folder.appendingPathComponent("values.yaml")
        try """
            routes:
              version: 1
              sources:
                github:
                  kind: standard-webhooks
                  verify: {hmac: {secrets: ["${env:GITHUB_WHSEC}"]}}
              tenants: {}
              routes: []
            """.write(to: values, atomically: true, encoding: .utf8)
        let rendered = try await render(["-f", values.path])
        defer { try? FileManager.default.removeItem(at: rendered) }
        let result = try await RepoTool.python(
            """
            import json, sys, yaml
            docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
            rendered = yaml.safe_load([d for d in docs if d["kind"] == "ConfigMap"][0]["data"]["routes.yaml"])
            given = yaml.safe_load(open(sys.argv[2]))["routes"]
            print(json.dumps(rendered, sort_keys=True))
            print(json.dumps(given, sort_keys=True))
            """,
            [rendered.appendingPathComponent("all.yaml").path, values.path]
        )
        #expect(result.status == 0, "\(result.output)")
        let lines = result.output.split(separator: "\n")
        #expect(lines.count == 2 && lines[0] == lines[1], "\(result.output)")
        #expect(!result.output.contains("gemini"), "\(result.output)")
    }

    /// The default routes, a YAML string, are rendered as they stand in values.yaml.
    @Test func theDefaultRoutesAreRenderedAsWritten() async throws {
        let rendered = try await render([])
        defer { try? FileManager.default.removeItem(at: rendered) }
        let result = try await RepoTool.python(
            """
            import sys, yaml
            docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
            rendered = [d for d in docs if d["kind"] == "ConfigMap"][0]["data"]["routes.yaml"]
            given = yaml.safe_load(open(sys.argv[2]))["routes"]
            assert isinstance(given, str), type(given)
            print("same" if rendered == given else "differs")
            """,
            [rendered.appendingPathComponent("all.yaml").path, RepoTool.root.appendingPathComponent("charts/sluice/values.yaml").path]
        )
        #expect(result.status == 0 && result.output == "same\n", "\(result.output)")
    }

    /// KEDA's triggers are built from the chart's redis.prefix and redis.partitions: routes
    /// given in values that name others are refused at render, with the value to set.
    @Test(arguments: [
        ("redis.prefix=other", "redis.prefix (other) must equal redis.prefix in routes (sluice)", "Set redis.prefix=sluice"),
        ("redis.partitions=3", "redis.partitions (3) must equal redis.partitions in routes (1)", "Set redis.partitions=1"),
    ])
    func aRedisPrefixOrPartitionCountThatDisagreesWithTheRoutesIsRefused(setting: String, message: String, advice: String) async throws {
        let result = try await RepoTool.chartCheck(["--set", setting, "--skip-lint"])
        #expect(result.status != 0, "\(result.output)")
        #expect(result.output.contains(message) && result.output.contains(advice), "\(result.output)")
        // Routes from an existing ConfigMap cannot be read: nothing to compare with.
        let unread = try await RepoTool.chartCheck(["--set", setting, "--set", "existingConfigMap=team-routes", "--skip-lint"])
        #expect(unread.status == 0, "\(unread.output)")
    }

    /// One worker Deployment must run both stages, or events are never routed or never delivered.
    @Test func aWorkerWithoutBothStagesIsRefused() async throws {
        let result = try await RepoTool.chartCheck(["--set", "worker.stages={router}", "--skip-lint"])
        #expect(result.status != 0, "\(result.output)")
        #expect(result.output.contains(#"worker.stages must list both router and delivery (it is ["router"])"#), "\(result.output)")
    }

    /// The bundled Redis refuses writes when full (the edge answers 503) rather than growing
    /// until the pod is OOM-killed.
    @Test func theBundledRedisHasAMemoryLimitOfItsOwnWithoutEviction() async throws {
        let rendered = try await render(["--set", "bundledRedis.enabled=true", "--set", "redis.url="])
        defer { try? FileManager.default.removeItem(at: rendered) }
        let all = try String(contentsOf: rendered.appendingPathComponent("all.yaml"), encoding: .utf8)
        #expect(all.contains("- --maxmemory\n") && all.contains("- \"384mb\""), "\(all)")
        #expect(all.contains("- --maxmemory-policy\n") && all.contains("- noeviction"), "\(all)")
    }

    @Test func anExistingConfigMapReplacesTheRenderedOne() async throws {
        let rendered = try await render(["--set", "existingConfigMap=team-routes", "--set", "existingConfigMapKey=prod.yaml"])
        defer { try? FileManager.default.removeItem(at: rendered) }
        let all = try String(contentsOf: rendered.appendingPathComponent("all.yaml"), encoding: .utf8)
        #expect(!all.contains("kind: ConfigMap"))
        #expect(all.contains("name: team-routes"))
        #expect(all.contains("key: prod.yaml"))
        // The chart cannot read that ConfigMap's timeouts, so the install notes state the rule instead.
        let notes = try String(contentsOf: rendered.appendingPathComponent("NOTES.txt"), encoding: .utf8)
        #expect(notes.contains("keep the grace above the longest endpoint `timeout` in it"), "\(notes)")
    }

    /// Both Deployments run locked down, mount routes.yaml as a directory (a subPath mount
    /// would never see ConfigMap updates) and have probes and a grace period.
    @Test func podsAreLockedDownAndMountRoutesAsADirectory() async throws {
        let rendered = try await render(["-f", "charts/sluice/ci/all-on.yaml"])
        defer { try? FileManager.default.removeItem(at: rendered) }
        let result = try await RepoTool.python(
            """
            import sys, yaml
            docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
            deployments = {d["metadata"]["name"]: d for d in docs if d["kind"] == "Deployment"}
            assert sorted(deployments) == ["release-name-sluice-console", "release-name-sluice-edge", "release-name-sluice-worker"], sorted(deployments)
            for name, d in deployments.items():
                pod = d["spec"]["template"]["spec"]
                assert pod["securityContext"]["runAsNonRoot"] is True, name
                assert pod["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault", name
                (c,) = pod["containers"]
                sc = c["securityContext"]
                assert sc["readOnlyRootFilesystem"] is True and sc["allowPrivilegeEscalation"] is False, name
                assert sc["capabilities"]["drop"] == ["ALL"], name
                assert c["livenessProbe"]["httpGet"]["path"] == "/healthz", name
                assert c["readinessProbe"]["httpGet"]["path"] == "/readyz", name
                mounts = {m["name"]: m for m in c["volumeMounts"]}
                assert mounts["routes"]["mountPath"] == "/etc/sluice" and "subPath" not in mounts["routes"], name
                assert mounts["tmp"]["mountPath"] == "/tmp", name
                env = {e["name"]: e for e in c["env"]}
                assert env["SLUICE_CONFIG"]["value"] == "/etc/sluice/routes.yaml", name
                assert env["SLUICE_REDIS_URL"]["valueFrom"]["secretKeyRef"] == {"name": "sluice-redis", "key": "url"}, name
                assert [e["secretRef"]["name"] for e in c["envFrom"]] == ["sluice-webhook-secrets", "sluice-tenant-secrets"], name
            worker = deployments["release-name-sluice-worker"]["spec"]["template"]["spec"]
            wenv = {e["name"]: e.get("value") for e in worker["containers"][0]["env"]}
            assert int(worker["terminationGracePeriodSeconds"]) > int(wenv["SLUICE_SHUTDOWN_GRACE"]), worker
            assert wenv["SLUICE_STAGES"] == "router,delivery", wenv
            edge = deployments["release-name-sluice-edge"]["spec"]["template"]["spec"]["containers"][0]
            assert edge["args"] == ["edge"] and edge["lifecycle"]["preStop"]["exec"]["command"][0] == "sleep", edge
            eenv = {e["name"]: e.get("value") for e in edge["env"]}
            limits = (eenv["SLUICE_MAX_CONNECTIONS"], eenv["SLUICE_REQUEST_TIMEOUT"], eenv["SLUICE_MAX_BUFFERED_MIB"])
            assert limits == ("10000", "10", "64"), limits
            # The console: its own Deployment, Service and NetworkPolicy, the token from a Secret.
            console = deployments["release-name-sluice-console"]["spec"]["template"]["spec"]
            cc = console["containers"][0]
            assert cc["args"] == ["console"], cc
            cenv = {e["name"]: e.get("value") for e in cc["env"]}
            assert cenv["SLUICE_CONSOLE_LISTEN"] == "0.0.0.0:8081" and cenv["SLUICE_CONSOLE_TOKEN_FILE"] == "/etc/sluice-console/token", cenv
            assert {"name": "console-token", "secret": {"secretName": "sluice-console-token", "items": [{"key": "token", "path": "token"}]}} in console["volumes"], console["volumes"]
            (csvc,) = [d for d in docs if d["kind"] == "Service" and d["metadata"]["name"] == "release-name-sluice-console"]
            assert csvc["spec"]["type"] == "ClusterIP" and csvc["spec"]["ports"][0]["port"] == 8081, csvc
            (cnp,) = [d for d in docs if d["kind"] == "NetworkPolicy" and d["metadata"]["name"] == "release-name-sluice-console"]
            assert cnp["spec"]["ingress"][0]["from"] == [{"podSelector": {"matchLabels": {"app.kubernetes.io/name": "oauth2-proxy"}}}], cnp
            (so,) = [d for d in docs if d["kind"] == "ScaledObject"]
            triggers = so["spec"]["triggers"]
            # all-on.yaml has 3 partitions: a pending and a lag trigger on each one's delivery stream.
            streams = ["{sluice}:v1:deliveries", "{sluice:p1}:v1:deliveries", "{sluice:p2}:v1:deliveries"]
            assert [t["metadata"]["stream"] for t in triggers] == [s for s in streams for _ in (0, 1)], triggers
            assert ["pendingEntriesCount" in t["metadata"] for t in triggers] == [True, False] * 3, triggers
            (trigger, lag) = triggers[:2]
            # all-on.yaml names a Redis Cluster's nodes: KEDA's cluster scaler, with the addresses.
            assert trigger["type"] == "redis-cluster-streams" and trigger["metadata"]["stream"] == "{sluice}:v1:deliveries", trigger
            assert trigger["metadata"]["addresses"] == "redis-0.example.internal:6379,redis-1.example.internal:6379", trigger
            assert "address" not in trigger["metadata"] and lag["type"] == "redis-cluster-streams", (trigger, lag)
            assert trigger["metadata"]["consumerGroup"] == "delivery" and "pendingEntriesCount" in trigger["metadata"], trigger
            print("ok")
            """,
            [rendered.appendingPathComponent("all.yaml").path]
        )
        #expect(result.status == 0 && result.output == "ok\n", "\(result.output)")
    }

    @Test(arguments: [
        ("edge.replicaCount=-1", "/edge/replicaCount"),
        ("worker.replicaCount=-3", "/worker/replicaCount"),
        ("log.format=xml", "/log/format"),
        ("worker.stages={router,bogus}", "/worker/stages"),
        ("edge.port=70000", "/edge/port"),
        ("edge.replicaCont=2", "replicaCont"),
        ("redis.partitions=0", "/redis/partitions"),
        // Sluice has no TLS to Redis: a rediss:// URL would crash-loop the pods.
        ("redis.url=rediss://redis.example:6380", "/redis/url"),
        // With no worker, nothing fills the delivery stream KEDA would wake one for.
        ("worker.keda.minReplicaCount=0", "/worker/keda/minReplicaCount"),
        // A mount over routes.yaml's folder would hide it from the pods.
        ("extraVolumes[0].name=x,extraVolumeMounts[0].name=x,extraVolumeMounts[0].mountPath=/etc/sluice/keys", "/extraVolumeMounts/0/mountPath"),
    ])
    func badValuesAreRefusedByTheSchema(setting: String, path: String) async throws {
        let result = try await RepoTool.chartCheck(["--set", setting])
        #expect(result.status != 0, "\(result.output)")
        #expect(result.output.contains(path), "\(result.output)")
    }

    /// extraEnv is free-form in the values schema, so a misspelt field gets as far as the
    /// rendered Deployments, where the strict Kubernetes schema refuses it.
    @Test func anUnknownFieldInARenderedObjectFailsSchemaValidation() async throws {
        let result = try await RepoTool.chartCheck(["--set", "extraEnv[0].name=TEAM,extraEnv[0].valu=platform"])
        #expect(result.status == 1, "\(result.output)")
        #expect(result.output.contains("Deployment release-name-sluice-edge: spec.template.spec.containers[0].env"), "\(result.output)")
        #expect(result.output.contains("('valu' was unexpected)"), "\(result.output)")
    }

    @Test func aKubernetesVersionWithoutSchemasIsAUsageError() async throws {
        let result = try await RepoTool.chartCheck(["--kube-version", "1.24"])
        #expect(result.status == 2, "\(result.output)")
        #expect(result.output.contains("the bundled schemas cover 1.25 to 1.37"), "\(result.output)")
    }

    /// The worker stops by itself once its shutdown grace is over (abandoning what still runs):
    /// Kubernetes must leave it that long, the preStop sleep and a few seconds to stop.
    @Test func aWorkerGracePeriodShorterThanItsOwnShutdownIsRefused() async throws {
        let result = try await RepoTool.chartCheck(["--set", "worker.terminationGracePeriodSeconds=34"])
        #expect(result.status != 0, "\(result.output)")
        #expect(result.output.contains(
            "worker.terminationGracePeriodSeconds must be at least worker.preStopSleepSeconds (0) + worker.shutdownGraceSeconds (30) + 5 s to record results and stop = 35"
        ), "\(result.output)")
        let enough = try await RepoTool.chartCheck(["--set", "worker.terminationGracePeriodSeconds=35", "--skip-lint"])
        #expect(enough.status == 0, "\(enough.output)")
    }

    /// An endpoint whose timeout is longer than the worker's shutdown grace renders, and the
    /// install notes name it: a delivery to it still running at a rollout is abandoned and sent
    /// again. Whether routes are given as an object or as a YAML string.
    @Test(arguments: [false, true])
    func anEndpointTimeoutLongerThanTheShutdownGraceIsNamedInTheNotes(routesAsText: Bool) async throws {
        let routes = """
            version: 1
            sources: {gemini: {kind: gemini}}
            tenants:
              acme:
                signing: {secrets: ["${env:ACME_WHSEC}"]}
                endpoints:
                  quick: {url: "https://hooks.acme.example/quick"}
                  slow: {url: "https://hooks.acme.example/slow", timeout: 300s}
            routes: []
            """
        let values = routesAsText
            ? "routes: |\n" + routes.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n")
            : "routes:\n" + routes.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n")
        let folder = try RepoTool.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("values.yaml")
        try values.write(to: file, atomically: true, encoding: .utf8)

        let rendered = try await RepoTool.chartCheck(["-f", file.path, "--skip-lint", "--out", folder.appendingPathComponent("out").path])
        #expect(rendered.status == 0, "\(rendered.output)")
        let notes = try notesText(folder.appendingPathComponent("out"))
        #expect(notes.contains("endpoint acme/slow may take 300s (its timeout), longer than\nworker.shutdownGraceSeconds (30)"), "\(notes)")

        let raised = try await RepoTool.chartCheck([
            "-f", file.path, "--skip-lint", "--set", "worker.shutdownGraceSeconds=300", "--set", "worker.terminationGracePeriodSeconds=305",
            "--out", folder.appendingPathComponent("raised").path,
        ])
        #expect(raised.status == 0, "\(raised.output)")
        #expect(try !notesText(folder.appendingPathComponent("raised")).contains("Worker shutdown:"))
    }

    /// The install notes as rendered into `folder` by chartcheck's `--out`.
    private func notesText(_ folder: URL) throws -> String {
        let enumerator = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil)
        while let url = enumerator?.nextObject() as? URL {
            if url.lastPathComponent == "NOTES.txt" { return try String(contentsOf: url, encoding: .utf8) }
        }
        return ""
    }

    /// With the bundled Redis, KEDA — whose operator runs in its own namespace — is given the
    /// Service's name with the release's namespace, and by default scales on the `delivery`
    /// group's lag (where a backlog waits: a worker reads only what it has room to send) as
    /// well as on its pending entries.
    @Test func kedaScalesOnTheDeliveryLagAndFindsTheBundledRedisFromItsOwnNamespace() async throws {
        let rendered = try await render([
            "-n", "webhooks", "--set", "bundledRedis.enabled=true", "--set", "worker.keda.enabled=true",
            "--api-versions", "keda.sh/v1alpha1/ScaledObject",
        ])
        defer { try? FileManager.default.removeItem(at: rendered) }
        let result = try await RepoTool.python(
            """
            import sys, yaml
            docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
            (so,) = [d for d in docs if d["kind"] == "ScaledObject"]
            triggers = so["spec"]["triggers"]
            assert [t["type"] for t in triggers] == ["redis-streams"] * 2, triggers
            for t in triggers:
                m = t["metadata"]
                assert m["address"] == "release-name-sluice-redis.webhooks.svc:6379", m
                assert m["stream"] == "{sluice}:v1:deliveries" and m["consumerGroup"] == "delivery", m
            assert [t["metadata"].get("pendingEntriesCount") for t in triggers] == ["50", None], triggers
            assert [t["metadata"].get("lagCount") for t in triggers] == [None, "1000"], triggers
            print("ok")
            """,
            [rendered.appendingPathComponent("all.yaml").path]
        )
        #expect(result.status == 0 && result.output == "ok\n", "\(result.output)")
    }

    /// A million is a plausible connection limit or lag: Helm holds values as floats, and a number
    /// quoted as it came rendered as `1e+06`, which the edge refused to start on and KEDA cannot
    /// read. Every integer the templates write is written whole.
    @Test func largeIntegersAreRenderedWhole() async throws {
        let rendered = try await render([
            "--set", "edge.limits.maxConnections=1000000", "--set", "edge.limits.maxBufferedMiB=1200000",
            "--set", "worker.shutdownGraceSeconds=1000000", "--set", "worker.terminationGracePeriodSeconds=2000000",
            "--set", "edge.terminationGracePeriodSeconds=3000000",
            "--set", "bundledRedis.enabled=true", "--set", "worker.keda.enabled=true",
            "--set", "worker.keda.lagCount=2000000", "--set", "worker.keda.pendingEntriesCount=1500000",
            "--set", "worker.keda.maxReplicaCount=1000000", "--set", "worker.keda.cooldownPeriod=1000000",
            "--api-versions", "keda.sh/v1alpha1/ScaledObject",
        ])
        defer { try? FileManager.default.removeItem(at: rendered) }
        let result = try await RepoTool.python(
            """
            import sys, yaml
            docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
            deployments = {d["metadata"]["name"]: d for d in docs if d["kind"] == "Deployment"}
            edge = deployments["release-name-sluice-edge"]
            worker = deployments["release-name-sluice-worker"]
            env = {e["name"]: e.get("value") for e in edge["spec"]["template"]["spec"]["containers"][0]["env"]}
            assert env["SLUICE_MAX_CONNECTIONS"] == "1000000" and env["SLUICE_MAX_BUFFERED_MIB"] == "1200000", env
            assert edge["spec"]["template"]["spec"]["terminationGracePeriodSeconds"] == 3000000
            wenv = {e["name"]: e.get("value") for e in worker["spec"]["template"]["spec"]["containers"][0]["env"]}
            assert wenv["SLUICE_SHUTDOWN_GRACE"] == "1000000", wenv
            assert worker["spec"]["template"]["spec"]["terminationGracePeriodSeconds"] == 2000000
            (so,) = [d for d in docs if d["kind"] == "ScaledObject"]
            assert so["spec"]["maxReplicaCount"] == 1000000 and so["spec"]["cooldownPeriod"] == 1000000, so["spec"]
            metadata = [t["metadata"] for t in so["spec"]["triggers"]]
            assert [m.get("pendingEntriesCount") for m in metadata] == ["1500000", None], metadata
            assert [m.get("lagCount") for m in metadata] == [None, "2000000"], metadata
            print("ok")
            """,
            [rendered.appendingPathComponent("all.yaml").path]
        )
        #expect(result.status == 0 && result.output == "ok\n", "\(result.output)")
    }

    /// Files for `${file:/path}` secrets and endpoint TLS reach every Sluice pod through
    /// extraVolumes and extraVolumeMounts, beside (not instead of) routes.yaml and /tmp.
    @Test func extraVolumesAreMountedInEverySluicePod() async throws {
        let rendered = try await render([
            "--set", "console.enabled=true",
            "--set", "extraVolumes[0].name=tenant-files,extraVolumes[0].secret.secretName=sluice-tenant-files",
            "--set", "extraVolumeMounts[0].name=tenant-files,extraVolumeMounts[0].mountPath=/etc/sluice-secrets,extraVolumeMounts[0].readOnly=true",
        ])
        defer { try? FileManager.default.removeItem(at: rendered) }
        let result = try await RepoTool.python(
            """
            import sys, yaml
            docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
            deployments = {d["metadata"]["name"]: d for d in docs if d["kind"] == "Deployment"}
            assert sorted(deployments) == ["release-name-sluice-console", "release-name-sluice-edge", "release-name-sluice-worker"], sorted(deployments)
            for name, d in deployments.items():
                pod = d["spec"]["template"]["spec"]
                volumes = {v["name"]: v for v in pod["volumes"]}
                assert volumes["tenant-files"]["secret"] == {"secretName": "sluice-tenant-files"}, (name, volumes)
                assert "routes" in volumes and "tmp" in volumes, (name, volumes)
                mounts = {m["name"]: m for m in pod["containers"][0]["volumeMounts"]}
                assert mounts["tenant-files"] == {"name": "tenant-files", "mountPath": "/etc/sluice-secrets", "readOnly": True}, (name, mounts)
                assert mounts["routes"]["mountPath"] == "/etc/sluice" and mounts["tmp"]["mountPath"] == "/tmp", (name, mounts)
            print("ok")
            """,
            [rendered.appendingPathComponent("all.yaml").path]
        )
        #expect(result.status == 0 && result.output == "ok\n", "\(result.output)")
    }

    /// A request that began arriving before SIGTERM has up to the request timeout to arrive whole;
    /// a grace period too short for the preStop sleep, the drain and that is refused.
    @Test func anEdgeGracePeriodThatCutsRequestsShortIsRefused() async throws {
        let refused = try await RepoTool.chartCheck(["--skip-lint", "--set", "edge.limits.requestTimeoutSeconds=60"])
        #expect(refused.status != 0, "\(refused.output)")
        #expect(refused.output.contains(
            "edge.terminationGracePeriodSeconds must be above edge.preStopSleepSeconds (5) + edge.drainDelaySeconds (5) + edge.limits.requestTimeoutSeconds (60) = 70; it is 30"
        ), "\(refused.output)")
        let raised = try await RepoTool.chartCheck([
            "--skip-lint", "--set", "edge.limits.requestTimeoutSeconds=60", "--set", "edge.terminationGracePeriodSeconds=71",
        ])
        #expect(raised.status == 0, "\(raised.output)")
    }

    /// Renders the chart with `arguments` and returns the folder holding all.yaml.
    private func render(_ arguments: [String]) async throws -> URL {
        let folder = try RepoTool.temporaryDirectory()
        let result = try await RepoTool.chartCheck(arguments + ["--kube-version", "1.31", "--out", folder.path])
        try #require(result.status == 0, "\(result.output)")
        return folder
    }
}
