import SIP
import Testing

@Suite struct TransactionLayerTests {
    typealias F = TransactionFixtures
    typealias Layer = SIPTransactionLayer<String>
    let phone = "192.0.2.10:5060"

    private func statusCodes(_ actions: [Layer.Action]) -> [Int] {
        actions.compactMap { if case .send(.response(let response), _) = $0 { response.statusCode } else { nil } }
    }

    // MARK: Keys

    @Test func keysFoldAckIntoInviteAndKeepCancelDistinct() throws {
        let invite = try #require(SIPTransactionKey(branch: F.branch, sentBy: F.sentBy, method: .invite))
        let ack = try #require(SIPTransactionKey(branch: F.branch, sentBy: F.sentBy, method: .ack))
        let cancel = try #require(SIPTransactionKey(branch: F.branch, sentBy: F.sentBy, method: .cancel))
        #expect(ack == invite)
        #expect(cancel != invite)
        #expect(cancel.invite == invite)
        #expect(SIPTransactionKey(branch: F.branch, sentBy: "other.atlanta.com", method: .invite) != invite)
        #expect(SIPTransactionKey(branch: "z9hG4bK776ASDHDS", sentBy: "PC33.atlanta.com", method: .invite) == invite)
        // Only RFC 3261 branches make keys (§8.1.1.7).
        #expect(SIPTransactionKey(branch: "776asdhds", sentBy: F.sentBy, method: .invite) == nil)
        #expect(SIPTransactionKey(branch: "z9hG4bK", sentBy: F.sentBy, method: .invite) == nil)
    }

    // MARK: Server side

    @Test func newInviteGoesToTUOnceAndRetransmissionsAreAnswered() {
        var layer = Layer()
        let invite = F.request(.invite)
        let key = F.key(.invite)
        let first = layer.receive(invite, key, over: .unreliable, now: .zero)
        #expect(statusCodes(first) == [100])
        #expect(first.contains(.request(invite, key, from: phone)))
        #expect(layer.count == 1)
        let again = layer.receive(invite, key, over: .unreliable, now: F.at(500))
        #expect(statusCodes(again) == [100])
        #expect(again.count == 1)
        #expect(layer.count == 1)
        #expect(layer.nextDeadline == nil)  // no timers run in Proceeding
    }

    @Test func requestWithAnotherSentByIsAnotherTransaction() {
        var layer = Layer()
        let options = F.request(.options)
        _ = layer.receive(options, F.key(.options), over: .unreliable, now: .zero)
        let other = F.request(.options, sentBy: "pc34.atlanta.com")
        let actions = layer.receive(other, F.key(.options, sentBy: "pc34.atlanta.com"), over: .unreliable, now: .zero)
        #expect(actions == [.request(other, F.key(.options, sentBy: "pc34.atlanta.com"), from: phone)])
        #expect(layer.count == 2)
    }

    /// Lost ACK through the layer: 486 retransmitted by Timer G, then Timer H times out.
    @Test func lostAckRetransmitsThe486AndTimesOut() {
        var layer = Layer()
        let invite = F.request(.invite)
        let key = F.key(.invite)
        _ = layer.receive(invite, key, over: .unreliable, now: .zero)
        #expect(statusCodes(layer.respond(F.response(486, to: invite), key: key, now: .zero)) == [486])
        var sendTimes: [Int64] = []
        while let deadline = layer.nextDeadline, deadline < F.at(32_000) {
            let actions = layer.fireTimers(now: deadline)
            if statusCodes(actions) == [486] { sendTimes.append(deadline.nanoseconds / 1_000_000) }
        }
        #expect(sendTimes == [500, 1_500, 3_500, 7_500, 11_500, 15_500, 19_500, 23_500, 27_500, 31_500])
        #expect(layer.nextDeadline == F.at(32_000))
        #expect(layer.fireTimers(now: F.at(32_000)) == [.timeout(key, .invite), .terminated(key)])
        #expect(layer.count == 0)
        #expect(layer.nextDeadline == nil)
    }

    @Test func ackForNon2xxIsAbsorbedAndTimerIEndsTheTransaction() {
        var layer = Layer()
        let invite = F.request(.invite)
        let key = F.key(.invite)
        _ = layer.receive(invite, key, over: .unreliable, now: .zero)
        _ = layer.respond(F.response(486, to: invite), key: key, now: .zero)
        let ack = F.request(.ack)
        #expect(layer.receive(ack, F.key(.ack), over: .unreliable, now: F.at(100)).isEmpty)
        #expect(layer.nextDeadline == F.at(5_100))  // Timer G and H cancelled; Timer I = T4
        #expect(layer.receive(ack, F.key(.ack), over: .unreliable, now: F.at(200)).isEmpty)
        #expect(layer.fireTimers(now: F.at(5_000)).isEmpty)
        #expect(layer.fireTimers(now: F.at(5_100)) == [.terminated(key)])
        #expect(layer.count == 0)
    }

    /// The lost-200 case (RFC 6026): the TU re-sends its 2xx through Accepted; the INVITE
    /// retransmission is absorbed; the ACK (new branch, no transaction) reaches the TU.
    @Test func lost200IsRetransmittedByTheTUThroughAccepted() {
        var layer = Layer()
        let invite = F.request(.invite)
        let key = F.key(.invite)
        _ = layer.receive(invite, key, over: .unreliable, now: .zero)
        let ok = F.response(200, to: invite)
        #expect(layer.respond(ok, key: key, now: F.at(100)) == [.send(.response(ok), to: phone)])
        #expect(layer.receive(invite, key, over: .unreliable, now: F.at(500)).isEmpty)
        #expect(layer.respond(ok, key: key, now: F.at(600)) == [.send(.response(ok), to: phone)])
        // An ACK with the INVITE's branch (a non-compliant peer) still reaches the TU in Accepted.
        let sameBranchAck = F.request(.ack)
        #expect(
            layer.receive(sameBranchAck, F.key(.ack), over: .unreliable, now: F.at(700))
                == [.ackForTU(sameBranchAck, from: phone)])
        let ack = F.request(.ack, branch: "z9hG4bKack2xx")
        #expect(
            layer.receive(ack, F.key(.ack, branch: "z9hG4bKack2xx"), over: .unreliable, now: F.at(800))
                == [.ackForTU(ack, from: phone)])
        #expect(layer.nextDeadline == F.at(32_100))  // Timer L
        #expect(layer.fireTimers(now: F.at(32_100)) == [.terminated(key)])
    }

    @Test func cancelWhileProceedingIsDeliveredWithTheInviteKey() {
        var layer = Layer()
        let invite = F.request(.invite)
        let inviteKey = F.key(.invite)
        _ = layer.receive(invite, inviteKey, over: .unreliable, now: .zero)
        let cancel = F.request(.cancel)
        let cancelKey = F.key(.cancel)
        let delivered = layer.receive(cancel, cancelKey, over: .unreliable, now: F.at(1_000))
        #expect(delivered == [.cancel(cancel, cancelKey, matchingInvite: inviteKey, from: phone)])
        #expect(layer.count == 2)
        // The TU answers the CANCEL 200 and the INVITE 487, each through its own transaction.
        #expect(statusCodes(layer.respond(F.response(200, to: cancel), key: cancelKey, now: F.at(1_000))) == [200])
        #expect(statusCodes(layer.respond(F.response(487, to: invite), key: inviteKey, now: F.at(1_000))) == [487])
        // A retransmitted CANCEL is answered by its transaction, not delivered again.
        #expect(statusCodes(layer.receive(cancel, cancelKey, over: .unreliable, now: F.at(1_400))) == [200])
    }

    /// RFC 3261 §9.2: the transaction still exists, so the CANCEL matches it (and gets 200 from the
    /// TU), though it can no longer change the INVITE's outcome.
    @Test func cancelAfterTheFinalResponseStillMatchesTheInvite() {
        for finalStatus in [200, 486] {
            var layer = Layer()
            let invite = F.request(.invite)
            _ = layer.receive(invite, F.key(.invite), over: .unreliable, now: .zero)
            _ = layer.respond(F.response(finalStatus, to: invite), key: F.key(.invite), now: F.at(10))
            let cancel = F.request(.cancel)
            let delivered = layer.receive(cancel, F.key(.cancel), over: .unreliable, now: F.at(20))
            #expect(
                delivered == [.cancel(cancel, F.key(.cancel), matchingInvite: F.key(.invite), from: phone)], "after \(finalStatus)"
            )
        }
    }

    @Test func cancelWithNoInviteHasNoMatchingInvite() {
        var layer = Layer()
        let cancel = F.request(.cancel)
        #expect(
            layer.receive(cancel, F.key(.cancel), over: .reliable, now: .zero)
                == [.cancel(cancel, F.key(.cancel), matchingInvite: nil, from: phone)])
    }

    @Test func ackWithoutATransactionGoesToTheTU() {
        var layer = Layer()
        let ack = F.request(.ack)
        #expect(layer.receive(ack, F.key(.ack), over: .unreliable, now: .zero) == [.ackForTU(ack, from: phone)])
        #expect(layer.count == 0)
    }

    @Test func responseForAnEndedTransactionIsIgnored() {
        var layer = Layer()
        #expect(layer.respond(F.response(200, to: F.request(.bye)), key: F.key(.bye), now: .zero).isEmpty)
    }

    // MARK: Client side

    @Test func clientInviteTimerAThenNon2xxIsAckedToTheSamePeer() {
        var layer = Layer()
        let invite = F.request(.invite, cseq: 2)
        let key = F.key(.invite)
        #expect(
            layer.send(request: invite, key: key, to: phone, reliability: .unreliable, now: .zero) == [
                .send(.request(invite), to: phone)
            ])
        #expect(layer.nextDeadline == F.at(500))
        #expect(layer.fireTimers(now: F.at(500)) == [.send(.request(invite), to: phone)])
        #expect(layer.nextDeadline == F.at(1_500))

        let ringing = F.response(180, to: invite)
        #expect(layer.receive(response: ringing, key: key, now: F.at(600)) == [.response(ringing, key)])
        #expect(layer.nextDeadline == nil)  // Timers A and B cancelled in Proceeding

        let busy = F.response(486, to: invite)
        let actions = layer.receive(response: busy, key: key, now: F.at(700))
        #expect(actions.count == 2)
        guard case .send(.request(let ack), let peer)? = actions.first else {
            Issue.record("expected the ACK first, got \(actions)")
            return
        }
        #expect(ack.method == .ack && peer == phone)
        #expect(ack.headers["CSeq"] == "2 ACK")
        #expect(actions.last == .response(busy, key))
        #expect(layer.receive(response: busy, key: key, now: F.at(800)) == [.send(.request(ack), to: phone)])
        #expect(layer.fireTimers(now: F.at(32_700)) == [.terminated(key)])
    }

    @Test func clientTimeoutsAreReportedWithTheMethod() {
        var layer = Layer()
        let bye = F.request(.bye)
        _ = layer.send(request: bye, key: F.key(.bye), to: phone, reliability: .reliable, now: .zero)
        #expect(layer.nextDeadline == F.at(32_000))
        #expect(layer.fireTimers(now: F.at(32_000)) == [.timeout(F.key(.bye), .bye), .terminated(F.key(.bye))])
    }

    @Test func clientInviteAcceptedPassesEvery2xxUntilTimerM() {
        var layer = Layer()
        let invite = F.request(.invite)
        let key = F.key(.invite)
        _ = layer.send(request: invite, key: key, to: phone, reliability: .reliable, now: .zero)
        let ok = F.response(200, to: invite)
        #expect(layer.receive(response: ok, key: key, now: F.at(100)) == [.response(ok, key)])
        #expect(layer.receive(response: ok, key: key, now: F.at(600)) == [.response(ok, key)])
        // The ACK for the 2xx is the TU's: sent as is, no transaction.
        let ack = F.request(.ack, branch: "z9hG4bKack")
        #expect(
            layer.send(
                request: ack, key: F.key(.ack, branch: "z9hG4bKack"), to: phone, reliability: .reliable, now: F.at(110))
                == [.send(.request(ack), to: phone)])
        #expect(layer.count == 1)
        #expect(layer.fireTimers(now: F.at(32_100)) == [.terminated(key)])
        #expect(layer.receive(response: ok, key: key, now: F.at(33_000)) == [.stray(ok)])
    }

    @Test func responsesMatchOnlyTheirOwnClientTransaction() {
        var layer = Layer()
        let options = F.request(.options)
        _ = layer.send(request: options, key: F.key(.options), to: phone, reliability: .unreliable, now: .zero)
        let ok = F.response(200, to: options)
        #expect(
            layer.receive(response: ok, key: F.key(.options, sentBy: "elsewhere.example.com"), now: F.at(1)) == [
                .stray(ok)
            ])
        #expect(layer.receive(response: ok, key: F.key(.options, branch: "z9hG4bKother"), now: F.at(1)) == [.stray(ok)])
        #expect(layer.receive(response: ok, key: F.key(.invite), now: F.at(1)) == [.stray(ok)])
        // A request carrying our client branch does not reach the client transaction.
        let echoed = layer.receive(options, F.key(.options), over: .unreliable, now: F.at(2))
        #expect(echoed == [.request(options, F.key(.options), from: phone)])
        #expect(layer.receive(response: ok, key: F.key(.options), now: F.at(3)) == [.response(ok, F.key(.options))])
    }

    @Test func duplicateClientKeyIsRefused() {
        var layer = Layer()
        let options = F.request(.options)
        _ = layer.send(request: options, key: F.key(.options), to: phone, reliability: .unreliable, now: .zero)
        #expect(
            layer.send(request: options, key: F.key(.options), to: phone, reliability: .unreliable, now: .zero) == [
                .duplicateTransaction(F.key(.options))
            ])
    }

    @Test func transportErrorReachesTheTransaction() {
        var layer = Layer()
        _ = layer.send(request: F.request(.bye), key: F.key(.bye), to: phone, reliability: .reliable, now: .zero)
        #expect(
            layer.transportError(key: F.key(.bye), now: F.at(1)) == [
                .transportError(F.key(.bye)), .terminated(F.key(.bye)),
            ])
        #expect(layer.count == 0)
        #expect(layer.nextDeadline == nil)
        #expect(layer.transportError(key: F.key(.bye), now: F.at(2)).isEmpty)
    }

    // MARK: Limits

    @Test func tableIsBoundedAndOverflowIsReported() {
        var layer = Layer(maximumTransactions: 2)
        for index in 0..<2 {
            let request = F.request(.options, branch: "z9hG4bK\(index)")
            let actions = layer.receive(
                request: request, key: F.key(.options, branch: "z9hG4bK\(index)"), from: phone, reliability: .reliable,
                now: .zero)
            #expect(actions.count == 1)
        }
        let third = F.request(.options, branch: "z9hG4bK3")
        let key3 = F.key(.options, branch: "z9hG4bK3")
        #expect(layer.receive(third, key3, over: .reliable, now: .zero) == [.overloaded(third, key3, peer: phone)])
        let bye = F.request(.bye, branch: "z9hG4bKmine")
        let byeKey = F.key(.bye, branch: "z9hG4bKmine")
        #expect(
            layer.send(request: bye, key: byeKey, to: phone, reliability: .reliable, now: .zero) == [
                .overloaded(bye, byeKey, peer: phone)
            ])
        // Retransmissions of existing transactions are still handled at the limit.
        #expect(
            layer.receive(
                request: F.request(.options, branch: "z9hG4bK0"), key: F.key(.options, branch: "z9hG4bK0"), from: phone,
                reliability: .reliable, now: .zero
            ).isEmpty)
        #expect(layer.count == 2)
        // Once one ends (a final response over TCP: Timer J = 0), there is room again.
        _ = layer.respond(
            F.response(200, to: F.request(.options)), key: F.key(.options, branch: "z9hG4bK0"), now: F.at(1))
        #expect(layer.count == 1)
        #expect(layer.receive(third, key3, over: .reliable, now: F.at(2)) == [.request(third, key3, from: phone)])
    }

    /// A flood of new requests fills the table; requests within a dialog (To tag) still get a
    /// quarter more room, so live calls can be ended and refreshed.
    @Test func requestsWithinADialogHaveRoomBeyondTheLimit() {
        var layer = Layer(maximumTransactions: 8)
        for index in 0..<8 {
            let request = F.request(.options, branch: "z9hG4bKn\(index)")
            #expect(layer.receive(request, F.key(.options, branch: "z9hG4bKn\(index)"), over: .reliable, now: .zero).count == 1)
        }
        let fresh = F.request(.options, branch: "z9hG4bKfresh")
        #expect(
            layer.receive(fresh, F.key(.options, branch: "z9hG4bKfresh"), over: .reliable, now: .zero) == [
                .overloaded(fresh, F.key(.options, branch: "z9hG4bKfresh"), peer: phone)
            ])
        var inDialog = F.request(.bye, branch: "z9hG4bKd0")
        inDialog.headers.set("To", "<sip:1000@127.0.0.1>;tag=ours")
        #expect(layer.receive(inDialog, F.key(.bye, branch: "z9hG4bKd0"), over: .reliable, now: .zero).count == 1)
        var second = F.request(.bye, branch: "z9hG4bKd1")
        second.headers.set("To", "<sip:1000@127.0.0.1>;tag=ours")
        #expect(layer.receive(second, F.key(.bye, branch: "z9hG4bKd1"), over: .reliable, now: .zero).count == 1)
        var third = F.request(.bye, branch: "z9hG4bKd2")
        third.headers.set("To", "<sip:1000@127.0.0.1>;tag=ours")
        #expect(
            layer.receive(third, F.key(.bye, branch: "z9hG4bKd2"), over: .reliable, now: .zero) == [
                .overloaded(third, F.key(.bye, branch: "z9hG4bKd2"), peer: phone)
            ], "bounded all the same: 8 + 8/4")
    }

    @Test func layerDefaultLimitIsTheNamedConstant() {
        #expect(Layer().maximumTransactions == SIPTransactionLimits.defaultMaximumTransactions)
    }
}

extension SIPTransactionLayer where Peer == String {
    /// A request from the test's phone peer.
    fileprivate mutating func receive(
        _ request: SIPRequest, _ key: SIPTransactionKey, over reliability: SIPTransportReliability, now: SIPInstant
    ) -> [Action] {
        receive(request: request, key: key, from: "192.0.2.10:5060", reliability: reliability, now: now)
    }
}
