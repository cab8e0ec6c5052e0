import Dialplan
import SIP

/// What happened in one call, in order: the SIP messages both ways, the dialplan's steps with
/// where they are written, the digits pressed (a passcode's masked), the policy decision and the
/// meeting side. What `dialgatectl call ID` prints, and what the call's record keeps.
///
/// Bounded, because a call can last hours and a hostile peer can send requests in a loop: past
/// ``limit`` entries the first ``keptFromStart`` stay (how the call began), the latest ones roll,
/// and ``omitted`` counts what fell out in between.
public struct CallTimeline: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public enum Kind: String, Sendable {
            /// A SIP message from the phone's side.
            case received
            /// A SIP message the gateway sent.
            case sent
            /// A step of the dialplan run (with its `file:line:column`).
            case dialplan
            /// A DTMF press.
            case digit
            /// The policy decision about joining a meeting.
            case policy
            /// The meeting side: joined, left, removed, announced.
            case meeting
            /// The call itself: how it ended.
            case call
        }

        public var at: SIPInstant
        public var kind: Kind
        public var text: String
        public var location: SourceLocation?

        public init(at: SIPInstant, kind: Kind, text: String, location: SourceLocation? = nil) {
            self.at = at
            self.kind = kind
            self.text = text
            self.location = location
        }
    }

    public private(set) var entries: [Entry] = []
    /// Entries dropped between the first ``keptFromStart`` and the latest ones.
    public private(set) var omitted = 0

    static let limit = 240
    static let keptFromStart = 80

    public init() {}

    public mutating func append(_ entry: Entry) {
        if entries.count >= Self.limit {
            entries.remove(at: Self.keptFromStart)
            omitted += 1
        }
        entries.append(entry)
    }

    mutating func note(_ kind: Entry.Kind, _ text: String, at: SIPInstant, location: SourceLocation? = nil) {
        append(Entry(at: at, kind: kind, text: text, location: location))
    }

    /// One line for a SIP message: the request line's method and URI, or the status with the
    /// method it answers; ` (SDP)` when it carries a session description.
    static func summary(of message: SIPMessage) -> String {
        let sdp = (try? message.headers.contentType())?.essence.lowercased() == "application/sdp" ? " (SDP)" : ""
        switch message {
        case .request(let request):
            return "\(request.method.token) \(String(request.uri.description.prefix(120)))\(sdp)"
        case .response(let response):
            let method = (try? response.headers.cseq())?.method.token ?? "?"
            return "\(response.statusCode) \(UserAgent.reasonPhrase(response.reasonPhrase)) (\(method))\(sdp)"
        }
    }
}

extension UserAgent {
    /// Puts a SIP message on the timeline of the call it belongs to (by Call-ID), if any.
    mutating func noteSignalling(_ message: SIPMessage, _ kind: CallTimeline.Entry.Kind, now: SIPInstant) {
        guard let callID = try? message.headers.callID(), let id = callsBySIPCallID[callID] else { return }
        calls[id]?.facts.timeline.note(kind, CallTimeline.summary(of: message), at: now)
    }
}
