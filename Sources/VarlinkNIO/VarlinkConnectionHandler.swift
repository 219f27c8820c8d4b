import NIOCore
import Varlink

/// Serves varlink on one connection: splits NUL-terminated messages, dispatches calls one at a
/// time, and writes replies on the event loop. Calls answered at once never leave the loop; only
/// `.deferred` work runs as a task, and the connection holds its next calls until it is done.
final class VarlinkConnectionHandler<Context: Sendable>: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let service: VarlinkService<Context>
    private let connectionContext: Context
    private let peer: PeerCredentials?
    private let maximumMessageSize: Int
    private let onEvent: @Sendable (VarlinkServerEvent) -> Void

    private var buffer: ByteBuffer?
    private var running: Task<Void, Never>?
    private var readHeld = false
    private var needsFlush = false
    private var closing = false
    /// Streaming calls waiting for the peer to read (`VarlinkReplyWriter.waitUntilWritable`).
    private var writabilityWaiters: [CheckedContinuation<Void, Never>] = []

    init(service: VarlinkService<Context>, context: Context, peer: PeerCredentials?, maximumMessageSize: Int,
         onEvent: @escaping @Sendable (VarlinkServerEvent) -> Void) {
        self.service = service
        self.connectionContext = context
        self.peer = peer
        self.maximumMessageSize = maximumMessageSize
        self.onEvent = onEvent
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !closing else { return }
        var incoming = unwrapInboundIn(data)
        if buffer == nil || buffer!.readableBytes == 0 {
            buffer = incoming
        } else {
            buffer!.writeBuffer(&incoming)
        }
        processMessages(context: context)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        flushIfNeeded(context: context)
    }

    func channelActive(context: ChannelHandlerContext) {
        onEvent(.connectionOpened(peer: peer))
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        onEvent(.connectionClosed(peer: peer))
        running?.cancel()
        running = nil
        releaseWritabilityWaiters()
        context.fireChannelInactive()
    }

    /// Read no further while the peer does not read its replies (the channel is not writable), or
    /// while a call runs and a whole message's worth of bytes is already waiting: a client that
    /// pipelines calls is slowed down instead of filling our memory.
    func read(context: ChannelHandlerContext) {
        let backlog = buffer?.readableBytes ?? 0
        if !context.channel.isWritable || (running != nil && backlog > maximumMessageSize) {
            readHeld = true
            return
        }
        context.read()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            releaseWritabilityWaiters()
            resume(context: context)
        }
        context.fireChannelWritabilityChanged()
    }

    private func releaseWritabilityWaiters() {
        let waiters = writabilityWaiters
        writabilityWaiters.removeAll()
        for waiter in waiters { waiter.resume() }
    }

    /// Goes on with waiting calls and reading once nothing holds the connection back.
    private func resume(context: ChannelHandlerContext) {
        processMessages(context: context)
        if readHeld, running == nil, context.channel.isWritable {
            readHeld = false
            context.read()
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // Connection errors (reset by peer and the like) end this connection only.
        context.close(promise: nil)
    }

    private func processMessages(context: ChannelHandlerContext) {
        while running == nil, !closing, context.channel.isWritable, var pending = buffer, pending.readableBytes > 0 {
            let scan = pending.withUnsafeReadableBytes {
                VarlinkFraming.scan($0, maximumMessageSize: maximumMessageSize)
            }
            switch scan {
            case .incomplete:
                flushIfNeeded(context: context)
                return
            case .oversized:
                fail(context: context, .messageTooLarge(limit: maximumMessageSize))
                return
            case .message(let length):
                let parsed = pending.withUnsafeReadableBytes {
                    JSONValue.parse(UnsafeRawBufferPointer(rebasing: $0[0..<length]))
                }
                pending.moveReaderIndex(forwardBy: length + 1)
                if pending.readableBytes == 0 {
                    buffer = nil
                } else {
                    buffer = pending
                }
                let call: VarlinkCall
                do {
                    call = try VarlinkCall(message: try parsed.get())
                } catch let error as JSONParseError {
                    fail(context: context, .invalidJSON(error))
                    return
                } catch let error as VarlinkProtocolError {
                    fail(context: context, error)
                    return
                } catch {
                    fail(context: context, .invalidMessage(String(describing: error)))
                    return
                }
                handle(call, context: context)
            }
        }
        flushIfNeeded(context: context)
        if buffer != nil, buffer!.readerIndex > 65536 { buffer!.discardReadBytes() }
    }

    private func handle(_ call: VarlinkCall, context: ChannelHandlerContext) {
        switch service.dispatch(call, context: connectionContext, peer: peer) {
        case .reply(let reply):
            if !call.oneway { write(reply, context: context) }
        case .deferred(let work):
            let loop = context.eventLoop
            let bound = NIOLoopBound((handler: self, context: context), eventLoop: loop)
            let writable: @Sendable () async -> Void = {
                await withCheckedContinuation { continuation in
                    loop.execute {
                        let (handler, context) = bound.value
                        if context.channel.isWritable || !context.channel.isActive {
                            continuation.resume()
                        } else {
                            handler.writabilityWaiters.append(continuation)
                        }
                    }
                }
            }
            let writer = VarlinkReplyWriter(streaming: call.more && !call.oneway, writable: writable) { reply in
                loop.execute {
                    let (handler, context) = bound.value
                    handler.write(reply, context: context)
                    handler.flushIfNeeded(context: context)
                }
            }
            let oneway = call.oneway
            running = Task {
                let reply = await work(writer)
                loop.execute {
                    let (handler, context) = bound.value
                    handler.finishDeferred(reply, oneway: oneway, context: context)
                }
            }
        }
    }

    private func finishDeferred(_ reply: VarlinkReply, oneway: Bool, context: ChannelHandlerContext) {
        guard running != nil else { return }
        running = nil
        if !oneway { write(reply, context: context) }
        flushIfNeeded(context: context)
        resume(context: context)
    }

    private func write(_ reply: VarlinkReply, context: ChannelHandlerContext) {
        guard context.channel.isActive else { return }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(64)
        VarlinkFraming.frame(reply, into: &bytes)
        var out = context.channel.allocator.buffer(capacity: bytes.count)
        out.writeBytes(bytes)
        context.write(wrapOutboundOut(out), promise: nil)
        needsFlush = true
    }

    private func flushIfNeeded(context: ChannelHandlerContext) {
        if needsFlush {
            needsFlush = false
            context.flush()
        }
    }

    /// The peer broke the protocol: say why, then close. Other connections are not affected.
    private func fail(context: ChannelHandlerContext, _ error: VarlinkProtocolError) {
        closing = true
        buffer = nil
        onEvent(.protocolViolation(peer: peer, reason: error.description))
        write(VarlinkReply(error: .protocolViolation(error.description)), context: context)
        flushIfNeeded(context: context)
        context.close(promise: nil)
    }
}
