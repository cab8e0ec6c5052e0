import SIP

extension UserAgent {
    /// SIP INFO in a dialog: DTMF as `application/dtmf-relay` (`Signal=5`) or `application/dtmf`
    /// (`5`), the forms carriers and phones use without an Info-Package (RFC 6086 §9 legacy use).
    mutating func handleInfo(_ request: SIPRequest, key: SIPTransactionKey, from peer: SIPPeer, now: SIPInstant) -> [UserAgentAction] {
        guard let dialogKey = DialogKey(inbound: request), let id = dialogs[dialogKey], let call = calls[id] else {
            return respond(to: request, key: key, from: peer, status: 481, reason: nil, now: now, notice: "INFO outside any dialog")
        }
        let toTag = call.dialog.localTag
        guard !request.body.isEmpty else {
            // An empty INFO is a keep-alive some phones send: fine.
            return respond(to: request, key: key, from: peer, status: 200, reason: nil, toTag: toTag, now: now)
        }
        let type = (try? request.headers.contentType())?.essence.lowercased()
        guard type == "application/dtmf-relay" || type == "application/dtmf" else {
            return respond(
                to: request, key: key, from: peer, status: 415, reason: nil, toTag: toTag, now: now,
                notice: "INFO \(type ?? "without type")"
            ) {
                $0.headers.add("Accept", "application/dtmf-relay, application/dtmf")
            }
        }
        guard let digit = UserAgent.infoDigit(request.body, relay: type == "application/dtmf-relay") else {
            return respond(
                to: request, key: key, from: peer, status: 400, reason: "Bad Request (no DTMF signal in INFO)", toTag: toTag, now: now)
        }
        return respond(to: request, key: key, from: peer, status: 200, reason: nil, toTag: toTag, now: now)
            + digitReceived(digit, source: .sipInfo, for: id, now: now)
    }

    /// The digit of an INFO body: `Signal=5` lines (dtmf-relay) or the bare digit (dtmf).
    static func infoDigit(_ body: [UInt8], relay: Bool) -> Character? {
        let text = String(decoding: body.prefix(512), as: UTF8.self)
        let value: Substring?
        if relay {
            value =
                text.split(whereSeparator: \.isNewline).lazy.compactMap { line -> Substring? in
                    let parts = line.split(separator: "=", maxSplits: 1)
                    guard parts.count == 2, parts[0].trimmedSpaces.lowercased() == "signal" else { return nil }
                    return Substring(parts[1].trimmedSpaces)
                }.first
        } else {
            value = Substring(text.trimmedSpaces)
        }
        guard let value, value.count == 1, let digit = value.first?.uppercased().first, "0123456789*#ABCD".contains(digit) else {
            return nil
        }
        return digit
    }

    /// A digit from the call's media (RFC 4733 events or in-band tones).
    public mutating func mediaDigit(_ digit: Character, source: DigitSource, for id: GatewayCallID, now: SIPInstant) -> [UserAgentAction] {
        digitReceived(digit, source: source, for: id, now: now)
    }

    /// Each press once: a phone that sends the same press two ways (RFC 4733 and INFO, or events
    /// with tones left in the audio) is heard once. Same digit, another method, within the window.
    mutating func digitReceived(_ digit: Character, source: DigitSource, for id: GatewayCallID, now: SIPInstant) -> [UserAgentAction] {
        guard var call = calls[id] else { return [] }
        if let last = call.lastDigit, last.digit == digit, last.source != source, now - last.at < UserAgent.sameDigitWindow {
            return []
        }
        call.lastDigit = (digit, source, now)
        // In a meeting the keys are controls (`*6`); in the IVR they may be a passcode.
        let secret = !call.inMeeting && call.run.digitsAreSecret
        call.facts.timeline.note(.digit, "\(secret ? "•" : String(digit)) (\(source.rawValue))", at: now)
        calls[id] = call
        let press = UserAgentAction.digit(id, digit, source, secret: secret)
        if call.inMeeting { return [press] + meetingKey(digit, for: id) }
        return [press] + feedDialplan(.digit(digit), for: id, now: now)
    }

    /// Presses closer than this on different methods count as one (a press lasts at least 40 ms,
    /// and INFO arrives within a few hundred ms of the events).
    static let sameDigitWindow: Duration = .milliseconds(500)

    /// The media saw nothing from the phone for the configured time: end the call with a Reason.
    public mutating func mediaTimedOut(_ id: GatewayCallID, after silence: Duration, now: SIPInstant) -> [UserAgentAction] {
        let seconds = silence.components.seconds
        return hangup(id, by: .gateway, reason: "no media for \(seconds) s", now: now) ?? []
    }
}

extension UserAgent {
    /// The leg's latest media figures: kept with the call (shown live, written when it ends).
    public mutating func mediaQuality(_ quality: CallQuality, for id: GatewayCallID) {
        calls[id]?.facts.quality = quality
    }
}
