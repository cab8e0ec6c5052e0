import Media
import TestSupport
import Testing

@Suite struct SRTPSessionTests {
    private func pair(_ suite: SRTPCryptoSuite, seed: UInt64 = 1) throws -> (sender: SRTPSession, receiver: SRTPSession) {
        var generator = SeededGenerator(seed: seed)
        let key = SRTPMasterKey.generate(for: suite, using: &generator)
        return (try SRTPSession(direction: .outbound, key: key), try SRTPSession(direction: .inbound, key: key))
    }

    // MARK: Round trips

    @Test(arguments: SRTPCryptoSuite.availableForTests)
    func rtpRoundTripWithGeneratedKeys(suite: SRTPCryptoSuite) throws {
        let (sender, receiver) = try pair(suite)
        for sequence in UInt16(1)...20 {
            let plaintext = SRTPTestPackets.rtp(sequence: sequence, timestamp: UInt32(sequence) * 160)
            var packet = plaintext
            try sender.protectRTP(&packet)
            #expect(packet.count == plaintext.count + suite.rtpOverhead)
            #expect(packet[12...] != plaintext[12...], "payload is encrypted")
            #expect(packet[..<12] == plaintext[..<12], "header stays in the clear (RFC 3711 §3.1)")
            try receiver.unprotectRTP(&packet)
            #expect(packet == plaintext)
        }
    }

    @Test(arguments: SRTPCryptoSuite.availableForTests)
    func rtcpRoundTripWithGeneratedKeys(suite: SRTPCryptoSuite) throws {
        let (sender, receiver) = try pair(suite)
        for _ in 0..<5 {
            let plaintext = SRTPTestPackets.rtcp()
            var packet = plaintext
            try sender.protectRTCP(&packet)
            #expect(packet.count == plaintext.count + suite.rtcpOverhead)
            try receiver.unprotectRTCP(&packet)
            #expect(packet == plaintext)
        }
    }

    /// RFC 3711 §3.3.1: across a sequence number wrap the rollover counter goes to 1 on both
    /// sides and every packet still round-trips.
    @Test(arguments: [SRTPCryptoSuite.aesCM128HMACSHA1Tag80, .aesCM128HMACSHA1Tag32])
    func sequenceWrapIncrementsTheRolloverCounter(suite: SRTPCryptoSuite) throws {
        let (sender, receiver) = try pair(suite)
        let ssrc: UInt32 = 0xDEAD_BEEF
        var sequence: UInt16 = 65_500
        var protectedAfterWrap: [UInt8] = []
        for index in 0..<200 {
            let plaintext = SRTPTestPackets.rtp(sequence: sequence, timestamp: UInt32(index) * 160, ssrc: ssrc)
            var packet = plaintext
            try sender.protectRTP(&packet)
            if sequence == 10 { protectedAfterWrap = packet }
            try receiver.unprotectRTP(&packet)
            #expect(packet == plaintext, "packet \(index), sequence \(sequence)")
            sequence &+= 1
        }
        #expect(sender.rolloverCounter(ssrc: ssrc) == 1)
        #expect(receiver.rolloverCounter(ssrc: ssrc) == 1)
        #expect(sender.rolloverCounter(ssrc: 0x0102_0304) == nil, "no stream for an SSRC never seen")

        // The same sequence number with ROC 0 is a different keystream: a fresh receiver (ROC 0)
        // cannot authenticate the post-wrap packet, which proves the ROC went into the index.
        let (_, freshReceiver) = try pair(suite)
        var packet = protectedAfterWrap
        #expect(throws: MediaError.srtpAuthenticationFailed) { try freshReceiver.unprotectRTP(&packet) }
    }

    /// Several SSRCs through one wildcard session, each with its own stream state.
    @Test func severalSSRCsShareOneSession() throws {
        let (sender, receiver) = try pair(.aesCM128HMACSHA1Tag80)
        for ssrc: UInt32 in [1, 2, 3] {
            for sequence in UInt16(100)...102 {
                let plaintext = SRTPTestPackets.rtp(sequence: sequence, ssrc: ssrc)
                var packet = plaintext
                try sender.protectRTP(&packet)
                try receiver.unprotectRTP(&packet)
                #expect(packet == plaintext)
            }
        }
    }

    // MARK: Packets to drop

    @Test(arguments: SRTPCryptoSuite.availableForTests)
    func tamperedPacketsFailAuthentication(suite: SRTPCryptoSuite) throws {
        let (sender, receiver) = try pair(suite)
        var original = SRTPTestPackets.rtp(sequence: 7)
        try sender.protectRTP(&original)
        // A header octet (timestamp), a payload octet, the last tag octet.
        for position in [5, 20, original.count - 1] {
            var packet = original
            packet[position] ^= 0x01
            #expect(throws: MediaError.srtpAuthenticationFailed, "flipped octet \(position)") { try receiver.unprotectRTP(&packet) }
            #expect(packet.count == original.count, "a failed unprotect leaves the length alone")
        }
        // The untouched packet still goes through: failures did not poison the replay window.
        var packet = original
        try receiver.unprotectRTP(&packet)

        var rtcp = SRTPTestPackets.rtcp()
        try sender.protectRTCP(&rtcp)
        rtcp[9] ^= 0x80
        #expect(throws: MediaError.srtpAuthenticationFailed) { try receiver.unprotectRTCP(&rtcp) }
    }

    @Test(arguments: SRTPCryptoSuite.availableForTests)
    func wrongKeyFailsAuthentication(suite: SRTPCryptoSuite) throws {
        let (sender, _) = try pair(suite, seed: 1)
        let (_, stranger) = try pair(suite, seed: 2)
        var packet = SRTPTestPackets.rtp(sequence: 1)
        try sender.protectRTP(&packet)
        #expect(throws: MediaError.srtpAuthenticationFailed) { try stranger.unprotectRTP(&packet) }
        var rtcp = SRTPTestPackets.rtcp()
        try sender.protectRTCP(&rtcp)
        #expect(throws: MediaError.srtpAuthenticationFailed) { try stranger.unprotectRTCP(&rtcp) }
    }

    @Test func replayedPacketsAreRejected() throws {
        let (sender, receiver) = try pair(.aesCM128HMACSHA1Tag80)
        var first = SRTPTestPackets.rtp(sequence: 1000)
        try sender.protectRTP(&first)
        var copy = first
        try receiver.unprotectRTP(&copy)
        copy = first
        #expect(throws: MediaError.srtpReplay(tooOld: false)) { try receiver.unprotectRTP(&copy) }

        // Move the window on by more than its 128 packets; an old packet is then too old.
        var old = SRTPTestPackets.rtp(sequence: 1001)
        try sender.protectRTP(&old)
        for sequence in UInt16(1002)...1200 {
            var packet = SRTPTestPackets.rtp(sequence: sequence)
            try sender.protectRTP(&packet)
            try receiver.unprotectRTP(&packet)
        }
        #expect(throws: MediaError.srtpReplay(tooOld: true)) { try receiver.unprotectRTP(&old) }

        var rtcp = SRTPTestPackets.rtcp()
        try sender.protectRTCP(&rtcp)
        copy = rtcp
        try receiver.unprotectRTCP(&copy)
        copy = rtcp
        #expect(throws: MediaError.srtpReplay(tooOld: false)) { try receiver.unprotectRTCP(&copy) }
    }

    @Test func protectingASequenceNumberTwiceIsRefused() throws {
        let (sender, _) = try pair(.aesCM128HMACSHA1Tag80)
        var packet = SRTPTestPackets.rtp(sequence: 5)
        try sender.protectRTP(&packet)
        // RFC 3711 §9.1: reusing an index with the same key would reuse keystream.
        var again = SRTPTestPackets.rtp(sequence: 5)
        #expect(throws: MediaError.srtpReplay(tooOld: false)) { try sender.protectRTP(&again) }
        #expect(again.count == SRTPTestPackets.rtp(sequence: 5).count, "a refused protect leaves the length alone")
    }

    /// Every prefix of a valid SRTP/SRTCP packet gives a typed error, never a crash or success.
    @Test(arguments: SRTPCryptoSuite.availableForTests)
    func truncatedPacketsGiveTypedErrors(suite: SRTPCryptoSuite) throws {
        let (sender, receiver) = try pair(suite)
        var rtp = SRTPTestPackets.rtp(sequence: 9, payloadLength: 20)
        try sender.protectRTP(&rtp)
        var rtcp = SRTPTestPackets.rtcp()
        try sender.protectRTCP(&rtcp)
        for length in 0..<rtp.count {
            var packet = Array(rtp.prefix(length))
            let result = Self.result { try receiver.unprotectRTP(&packet) }
            #expect(Self.isDropReason(result), "RTP prefix of \(length): \(result)")
        }
        for length in 0..<rtcp.count {
            var packet = Array(rtcp.prefix(length))
            let result = Self.result { try receiver.unprotectRTCP(&packet) }
            #expect(Self.isDropReason(result), "RTCP prefix of \(length): \(result)")
        }
    }

    /// Headers that claim more than the packet holds are refused before libsrtp reads them.
    @Test func hostileHeadersAreMalformed() throws {
        let (sender, receiver) = try pair(.aesCM128HMACSHA1Tag80)
        // CC = 15: 60 octets of CSRCs in a 40-octet packet.
        var csrcs = SRTPTestPackets.rtp(sequence: 1, payloadLength: 28)
        csrcs[0] = 0x8F
        #expect(Self.isMalformed { try receiver.unprotectRTP(&csrcs) })
        #expect(Self.isMalformed { try sender.protectRTP(&csrcs) })
        // X = 1 with an extension length of 0xFFFF words.
        var extended = SRTPTestPackets.rtp(sequence: 2, payloadLength: 28)
        extended[0] = 0x90
        extended[14] = 0xFF
        extended[15] = 0xFF
        #expect(Self.isMalformed { try receiver.unprotectRTP(&extended) })
        #expect(Self.isMalformed { try sender.protectRTP(&extended) })
        // Not RTP version 2.
        var version1 = SRTPTestPackets.rtp(sequence: 3)
        version1[0] = 0x40
        #expect(Self.isMalformed { try receiver.unprotectRTP(&version1) })
        var rtcpVersion0 = SRTPTestPackets.rtcp()
        rtcpVersion0[0] = 0x00
        #expect(Self.isMalformed { try sender.protectRTCP(&rtcpVersion0) })
    }

    // MARK: The caller's buffer

    /// Protect and unprotect work in the caller's memory: with spare capacity the array keeps
    /// its storage (no allocation per packet).
    @Test func arrayFormWorksInPlace() throws {
        let (sender, receiver) = try pair(.aesCM128HMACSHA1Tag80)
        var packet = SRTPTestPackets.rtp(sequence: 1)
        packet.reserveCapacity(packet.count + SRTPCryptoSuite.maximumOverhead)
        let storage = packet.withUnsafeBufferPointer { $0.baseAddress }
        try sender.protectRTP(&packet)
        try receiver.unprotectRTP(&packet)
        #expect(packet.withUnsafeBufferPointer { $0.baseAddress } == storage)
    }

    @Test func rawBufferFormFollowsTheCapacityRule() throws {
        let suite = SRTPCryptoSuite.aesCM128HMACSHA1Tag32
        let (sender, receiver) = try pair(suite)
        let plaintext = SRTPTestPackets.rtp(sequence: 1)
        var buffer = [UInt8](repeating: 0xEE, count: 1500)
        buffer.replaceSubrange(0..<plaintext.count, with: plaintext)

        // One octet short of the 4-octet tag: refused, nothing written.
        let tooSmall = buffer.withUnsafeMutableBytes { raw in
            Result { () throws(MediaError) -> Int in
                try sender.protectRTP(in: UnsafeMutableRawBufferPointer(rebasing: raw[0..<(plaintext.count + 3)]), length: plaintext.count)
            }
        }
        #expect(tooSmall == .failure(.srtpBufferTooSmall(needed: plaintext.count + 4, capacity: plaintext.count + 3)))

        let protectedLength = try buffer.withUnsafeMutableBytes { raw throws(MediaError) in
            try sender.protectRTP(in: raw, length: plaintext.count)
        }
        #expect(protectedLength == plaintext.count + suite.rtpOverhead)
        #expect(buffer[protectedLength] == 0xEE, "nothing written past the trailer")
        let length = try buffer.withUnsafeMutableBytes { raw throws(MediaError) in
            try receiver.unprotectRTP(in: raw, length: protectedLength)
        }
        #expect(Array(buffer[0..<length]) == plaintext)

        let outside = buffer.withUnsafeMutableBytes { raw in
            Result { () throws(MediaError) -> Int in try receiver.unprotectRTP(in: raw, length: raw.count + 1) }
        }
        #expect(outside.isBadParameter)
    }

    // MARK: Setup errors

    @Test func sessionsRefuseTheWrongDirection() throws {
        let (sender, receiver) = try pair(.aesCM128HMACSHA1Tag80)
        var packet = SRTPTestPackets.rtp(sequence: 1)
        #expect(Self.result { try receiver.protectRTP(&packet) }.isBadParameter)
        #expect(Self.result { try sender.unprotectRTP(&packet) }.isBadParameter)
        var rtcp = SRTPTestPackets.rtcp()
        #expect(Self.result { try receiver.protectRTCP(&rtcp) }.isBadParameter)
        #expect(Self.result { try sender.unprotectRTCP(&rtcp) }.isBadParameter)
    }

    @Test func badKeyLengthsAndWindowsAreRefused() throws {
        #expect(throws: MediaError.srtpBadKeyLength(suite: "AES_CM_128_HMAC_SHA1_80", expected: 30, got: 29)) {
            try SRTPSession(suite: .aesCM128HMACSHA1Tag80, direction: .inbound, masterKeyAndSalt: Array(repeating: 1, count: 29))
        }
        #expect(throws: MediaError.srtpBadKeyLength(suite: "AES_256_CM_HMAC_SHA1_80", expected: 46, got: 30)) {
            try SRTPMasterKey(suite: .aesCM256HMACSHA1Tag80, masterKeyAndSalt: Array(repeating: 1, count: 30))
        }
        for window in [0, 63, 0x8000] {
            let result = Self.result {
                _ = try SRTPSession(
                    suite: .aesCM128HMACSHA1Tag80, direction: .inbound, masterKeyAndSalt: Array(repeating: 1, count: 30),
                    replayWindow: window)
            }
            #expect(result.isBadParameter, "window \(window)")
        }
        _ = try SRTPSession(
            suite: .aesCM128HMACSHA1Tag80, direction: .inbound, masterKeyAndSalt: Array(repeating: 1, count: 30), replayWindow: 1024)
    }

    // MARK: Helpers

    /// The `MediaError` `body` throws; `nil` when it succeeds or throws something else.
    private static func result(_ body: () throws -> Void) -> Result<Void, MediaError> {
        do {
            try body()
            return .success(())
        } catch let error as MediaError {
            return .failure(error)
        } catch {
            return .failure(.srtpBadParameter("not a MediaError: \(error)"))
        }
    }

    /// The errors a receiver counts and drops a packet for.
    private static func isDropReason(_ result: Result<Void, MediaError>) -> Bool {
        switch result {
        case .failure(.srtpMalformedPacket), .failure(.srtpAuthenticationFailed): true
        default: false
        }
    }

    private static func isMalformed(_ body: () throws -> Void) -> Bool {
        if case .failure(.srtpMalformedPacket) = result(body) { true } else { false }
    }
}

extension Result where Failure == MediaError {
    fileprivate var isBadParameter: Bool {
        if case .failure(.srtpBadParameter) = self { true } else { false }
    }
}
