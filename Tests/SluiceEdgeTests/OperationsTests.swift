import Foundation
import SluiceTesting
import Testing

/// `/healthz`, `/readyz`, `/metrics` on the edge's port.
@Suite struct OperationsTests {
    @Test func healthAndReadinessAnswer200WhileRedisIsUp() async throws {
        try await EdgeHarness.with { (edge: EdgeHarness) async throws in
            #expect(try await edge.get("/healthz").status == 200)
            #expect(try await edge.get("/readyz").status == 200)
            // Probes that use HEAD get the same status.
            #expect(try await edge.send(method: "HEAD", path: "/healthz").status == 200)
            #expect(try await edge.send(method: "HEAD", path: "/readyz").status == 200)
        }
    }

    @Test func metricsCountIngestOutcomesPerSourceAndLatency() async throws {
        try await EdgeHarness.with { edge in
            #expect(try await edge.post(id: "msg_m1").status == 202)
            #expect(try await edge.post(id: "msg_m1").status == 200)
            #expect(try await edge.post(secret: "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD").status == 401)
            #expect(try await edge.post(path: "/webhooks/random-name").status == 404)
            let response = try await edge.get("/metrics")
            #expect(response.status == 200)
            let text = String(decoding: response.body, as: UTF8.self)
            #expect(text.contains(#"sluice_ingest_total{source="gemini",outcome="accepted"} 1"#))
            #expect(text.contains(#"sluice_ingest_total{source="gemini",outcome="duplicate"} 1"#))
            #expect(text.contains(#"sluice_ingest_total{source="gemini",outcome="signature_mismatch"} 1"#))
            #expect(text.contains(#"sluice_ingest_total{source="_unknown",outcome="unknown_source"} 1"#))
            // The edge's own refusals exist at 0, so the first one is an increase to rate().
            #expect(text.contains(#"sluice_ingest_total{source="gemini",outcome="durability_unmet"} 0"#), "\(text)")
            #expect(text.contains(#"sluice_ingest_total{source="gemini",outcome="store_unavailable"} 0"#), "\(text)")
            // An unknown source never accepts anything: no series that would read 0 forever.
            #expect(!text.contains(#"source="_unknown",outcome="accepted""#) && !text.contains(#"source="_unknown",outcome="duplicate""#))
            #expect(!text.contains("random-name"))
            #expect(text.contains("sluice_ingest_seconds_bucket"))
        }
    }
}
