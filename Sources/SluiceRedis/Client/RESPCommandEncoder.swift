import NIOCore

/// Encodes commands as RESP arrays of bulk strings (`*N\r\n$len\r\narg\r\n…`), binary safe.
///
/// Commands written between two flushes are appended to one buffer that goes out on the flush,
/// so every command issued in one event-loop tick leaves in a single `write` system call. The
/// encoding writes straight into that buffer: no intermediate arrays or strings per command.
final class RESPCommandEncoder: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = [RedisArgument]
    typealias OutboundOut = ByteBuffer

    /// Commands encoded since the last flush.
    private var pending: ByteBuffer?
    /// The promises of those writes, completed when the buffer is written.
    private var pendingPromise: EventLoopPromise<Void>?
    /// The next buffer's capacity: the last flush's size, so a steady load allocates once per flush.
    private var nextCapacity = 1024

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if pending == nil {
            pending = context.channel.allocator.buffer(capacity: nextCapacity)
        }
        Self.encode(unwrapOutboundIn(data), into: &pending!)
        if let promise {
            if let pendingPromise {
                pendingPromise.futureResult.cascade(to: promise)
            } else {
                pendingPromise = promise
            }
        }
    }

    func flush(context: ChannelHandlerContext) {
        if let buffer = pending {
            pending = nil
            nextCapacity = max(1024, buffer.readableBytes)
            let promise = pendingPromise
            pendingPromise = nil
            context.write(wrapOutboundOut(buffer), promise: promise)
        }
        context.flush()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        pending = nil
        pendingPromise?.fail(ChannelError.ioOnClosedChannel)
        pendingPromise = nil
    }

    /// Appends `arguments` as one RESP command.
    static func encode(_ arguments: [RedisArgument], into buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt8(ascii: "*"))
        writeDecimal(arguments.count, into: &buffer)
        buffer.writeStaticString("\r\n")
        for argument in arguments {
            buffer.writeInteger(UInt8(ascii: "$"))
            writeDecimal(argument.bytes.count, into: &buffer)
            buffer.writeStaticString("\r\n")
            buffer.writeBytes(argument.bytes)
            buffer.writeStaticString("\r\n")
        }
    }

    /// Writes a non-negative count in decimal without going through `String`.
    private static func writeDecimal(_ value: Int, into buffer: inout ByteBuffer) {
        var digits = 1
        var rest = value
        while rest >= 10 {
            rest /= 10
            digits += 1
        }
        let start = buffer.writerIndex
        buffer.writeRepeatingByte(0, count: digits)
        rest = value
        for offset in stride(from: digits - 1, through: 0, by: -1) {
            buffer.setInteger(UInt8(ascii: "0") + UInt8(truncatingIfNeeded: rest % 10), at: start + offset)
            rest /= 10
        }
    }
}
