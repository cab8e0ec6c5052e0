import Foundation
import NIOCore
import NIOPosix
import Testing

@testable import Gateway

/// The SIP UDP socket's receive buffer is raised above the kernel's default (docs/sip.md): as root
/// to the full 8 MiB, otherwise as far as `net.core.rmem_max` lets `SO_RCVBUF` go.
@Suite struct SIPListenerReceiveBufferTests {
    @Test func theReceiveBufferIsRaised() async throws {
        let channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        defer { channel.close(promise: nil) }
        let before = try await channel.getOption(.socketOption(.so_rcvbuf)).get()
        try await SIPListener.enlargeReceiveBuffer(of: channel)
        let after = try await channel.getOption(.socketOption(.so_rcvbuf)).get()
        let requested = SIPListener.receiveBufferBytes
        let maximum = try String(contentsOfFile: "/proc/sys/net/core/rmem_max", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        // The kernel doubles what it grants (its bookkeeping share) and reports that.
        let expected = geteuid() == 0 ? 2 * requested : 2 * min(requested, SocketOptionValue(maximum) ?? 0)
        #expect(after >= expected, "before \(before), after \(after), rmem_max \(maximum)")
        #expect(after > before || before >= expected)
    }
}
