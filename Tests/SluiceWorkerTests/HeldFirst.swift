/// Holds the first caller of `arrive()` (a sink handler, a delivery) until `open()`; later ones pass at once.
actor HeldFirst {
    private var seen = false
    private var held: CheckedContinuation<Void, Never>?
    private var isOpen = false

    func arrive() async {
        guard !seen, !isOpen else { return }
        seen = true
        await withCheckedContinuation { held = $0 }
    }

    func open() {
        isOpen = true
        held?.resume()
        held = nil
    }
}
