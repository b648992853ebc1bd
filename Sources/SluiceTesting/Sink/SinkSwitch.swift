/// An on/off switch a sink handler reads, so a test can repair an endpoint.
public actor SinkSwitch {
    public private(set) var isOn = false

    public init() {}

    public func turnOn() {
        isOn = true
    }
}
