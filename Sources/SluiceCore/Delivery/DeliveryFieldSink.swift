/// Receives a delivery's stored fields, in order (`Delivery.writeFields(to:)`).
///
/// `Delivery.fields()` collects them into an array; the router writes them straight into the
/// route script's encoded argument list instead, without an array per field for every delivery.
public protocol DeliveryFieldSink {
    mutating func field(_ name: String, text value: String)
    /// A number, stored as decimal text.
    mutating func field(_ name: String, number value: Int64)
    /// Raw bytes, stored unchanged (the body).
    mutating func field(_ name: String, bytes value: [UInt8])
}
