public import SluiceCore

/// A delivery's fields written straight into a script's encoded arguments: name, value, name, …
extension RESPArguments: DeliveryFieldSink {
    public mutating func field(_ name: String, text value: String) {
        append(name)
        append(value)
    }

    public mutating func field(_ name: String, number value: Int64) {
        append(name)
        append(value)
    }

    public mutating func field(_ name: String, bytes value: [UInt8]) {
        append(name)
        append(value)
    }
}
