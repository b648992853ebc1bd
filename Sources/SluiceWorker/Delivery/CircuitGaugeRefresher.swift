import ServiceLifecycle

/// Refreshes the circuit gauges every `interval` (see `DeliveryExecutor.refreshCircuitGauges()`).
struct CircuitGaugeRefresher: Service {
    let executor: DeliveryExecutor
    var interval: Duration = .seconds(5)

    func run() async throws {
        while !isStopping {
            await sleepUnlessShuttingDown(for: interval)
            executor.refreshCircuitGauges()
        }
    }
}
