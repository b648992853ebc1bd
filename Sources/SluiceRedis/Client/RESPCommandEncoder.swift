import NIOCore

/// Encodes commands as RESP arrays of bulk strings (`*N\r\n$len\r\narg\r\n…`), binary safe.
///
/// Commands written between two flushes are appended to one buffer that goes out on the flush,
/// so every command issued in one event-loop tick leaves in a single `write` system call. The
/// encoding writes straight into that buffer: no intermediate arrays or strings per command.
final class RESPCommandEncoder: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = RedisCommand
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

    /// Appends `command` as one RESP array: its leading arguments encoded here, then its encoded tail.
    ///
    /// The size is computed first and the command copied in with one buffer access: ByteBuffer's
    /// small writes each cost an exclusivity check, and a command has a dozen arguments.
    static func encode(_ command: RedisCommand, into buffer: inout ByteBuffer) {
        let arguments = command.leading
        let encoded = command.encoded?.bytes ?? []
        var size = 1 + RESPArguments.decimalLength(command.count) + 2 + encoded.count
        for argument in arguments {
            let count = argument.bytes.count
            size += 1 + RESPArguments.decimalLength(count) + 2 + count + 2
        }
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: size) { output in
            let base = output.baseAddress!
            var offset = 0
            func put(_ byte: UInt8) {
                base.storeBytes(of: byte, toByteOffset: offset, as: UInt8.self)
                offset += 1
            }
            func putDecimal(_ value: Int) {
                let digits = RESPArguments.decimalLength(value)
                var rest = value
                for position in stride(from: offset + digits - 1, through: offset, by: -1) {
                    base.storeBytes(of: UInt8(ascii: "0") + UInt8(truncatingIfNeeded: rest % 10), toByteOffset: position, as: UInt8.self)
                    rest /= 10
                }
                offset += digits
            }
            put(UInt8(ascii: "*"))
            putDecimal(command.count)
            put(UInt8(ascii: "\r"))
            put(UInt8(ascii: "\n"))
            for argument in arguments {
                put(UInt8(ascii: "$"))
                putDecimal(argument.bytes.count)
                put(UInt8(ascii: "\r"))
                put(UInt8(ascii: "\n"))
                argument.bytes.withUnsafeBytes { bytes in
                    if let source = bytes.baseAddress, bytes.count > 0 {
                        (base + offset).copyMemory(from: source, byteCount: bytes.count)
                    }
                }
                offset += argument.bytes.count
                put(UInt8(ascii: "\r"))
                put(UInt8(ascii: "\n"))
            }
            encoded.withUnsafeBytes { bytes in
                if let source = bytes.baseAddress, bytes.count > 0 {
                    (base + offset).copyMemory(from: source, byteCount: bytes.count)
                }
            }
            offset += encoded.count
            return offset
        }
    }
}
