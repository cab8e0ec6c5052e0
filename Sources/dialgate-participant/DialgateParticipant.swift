import ArgumentParser
import Foundation
import Frames
import Meetings
import ParticipantClient
import ParticipantTransport

// dialgate-participant: a real meeting client for people and tests (DESIGN.md §3). Thin: the
// work is in the ParticipantClient library; this parses flags, paces the run and prints.

@main
struct DialgateParticipant: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dialgate-participant",
        abstract: "Join a dialgate meeting as an app participant: send a WAV file (or silence), record what you hear.",
        discussion: """
            Audio is 48 kHz 16-bit mono throughout. Exits 0 after a clean run (--duration elapsed, or the \
            meeting ended), 1 with a one-line reason when the join is refused or the connection fails.
            """)

    @Option(help: ArgumentHelp("The gateway's participant server (wss:// for TLS).", valueName: "ws://HOST:PORT"))
    var server: String

    @Option(
        help: ArgumentHelp(
            "For wss://: trust the certificates in this PEM file (a private CA or the gateway's own).", valueName: "FILE.pem"))
    var ca: String?

    @Option(help: ArgumentHelp("The meeting ID (9 to 11 digits); with --create, the ID to ask for.", valueName: "ID"))
    var meeting: String?

    @Option(help: ArgumentHelp("The meeting's passcode (4 to 10 digits); with --create, the passcode to ask for.", valueName: "P"))
    var passcode: String?

    @Flag(help: "Create a standard meeting with this client as its host (prints its ID and passcode), then join it as host.")
    var create = false

    @Option(help: ArgumentHelp("The name others see.", valueName: "NAME"))
    var name: String

    @Flag(help: "Join as the meeting's host.")
    var host = false

    @Option(help: ArgumentHelp("Send this WAV file (48 kHz 16-bit mono), then silence.", valueName: "FILE.wav"))
    var send: String?

    @Option(help: ArgumentHelp("Record the mix of everyone heard to this WAV file.", valueName: "FILE.wav"))
    var record: String?

    @Option(name: .customLong("record-dir"), help: ArgumentHelp("Record each sender to a WAV file of its own here.", valueName: "DIR"))
    var recordDirectory: String?

    @Option(help: ArgumentHelp("Leave after this many seconds in the meeting.", valueName: "SECONDS"))
    var duration: Double?

    @Option(
        help: ArgumentHelp(
            "As the host of an e2ee meeting: how to answer a phone caller asking to join (accept consents to the downgrade; default ignore).",
            valueName: "accept|reject|ignore"))
    var consent: AdmissionAnswer?

    @Option(
        name: .customLong("upgrade-after"),
        help: ArgumentHelp(
            "As the host of a downgraded e2ee meeting: re-key to e2ee this many seconds after joining, phones or not.",
            valueName: "SECONDS"))
    var upgradeAfter: Double?

    @Flag(help: "Print one JSON line per identity, roster, epoch, mode, consent and error event on stdout.")
    var events = false

    @Option(
        name: .customLong("expect-host"),
        help: ArgumentHelp(
            "e2ee: the host's fingerprint as the host shared it (64 hex digits, spaces allowed); leave if the gateway names another.",
            valueName: "FINGERPRINT"))
    var expectHost: String?

    @Option(
        name: .customLong("co-host"),
        help: ArgumentHelp("As the host of an e2ee meeting: name this participant (by display name) a co-host.", valueName: "NAME"))
    var coHosts: [String] = []

    @Option(
        help: ArgumentHelp(
            "Keep this client's identity in FILE (its 32-byte seed; created mode 0600 if absent), so a host comes back as the host.",
            valueName: "FILE"))
    var identity: String?

    @Option(
        name: .customLong("frame-log"),
        help: ArgumentHelp("Write every frame sent and received (base64, one JSON line each) to this file.", valueName: "FILE"))
    var frameLog: String?

    func validate() throws {
        if !create, meeting == nil || passcode == nil { throw ValidationError("--meeting and --passcode are required (or --create)") }
        if let duration, !(duration > 0 && duration.isFinite) { throw ValidationError("--duration must be a positive number of seconds") }
        if let expectHost {
            do throws(FramesError) { _ = try IdentityFingerprint(parsing: expectHost) } catch {
                throw ValidationError("--expect-host: \(error)")
            }
        }
        if !coHosts.isEmpty, !host, !create { throw ValidationError("--co-host is for the host (--host)") }
        if consent != nil || upgradeAfter != nil, !host, !create {
            throw ValidationError("--consent and --upgrade-after are for the host (--host)")
        }
        if let upgradeAfter, !(upgradeAfter >= 0 && upgradeAfter.isFinite) {
            throw ValidationError("--upgrade-after must be a number of seconds")
        }
    }

    func run() async throws {
        let output = EventOutput(json: events)
        let signal: [Int16]?
        do {
            signal = try send.map { (path) throws(ParticipantClientError) in try MeetingAudio.readSignal(path: path) }
        } catch {
            output.fatal("\(error)")
        }
        var stored: ParticipantIdentity?
        if let identity {
            do { stored = try IdentitySeedFile.loadOrCreate(path: identity) } catch { output.fatal("\(error)") }
        }
        var created: CreatedMeeting?
        if create {
            do {
                created = try await MeetingClient.createMeeting(
                    server: server, trustedCertificates: ca, identity: stored, name: name, meeting: meeting, passcode: passcode)
            } catch {
                output.fatal("\(error)")
            }
            if let created { output.created(created) }
        }
        var configuration = MeetingClientConfiguration(
            server: server, meeting: created?.meeting ?? meeting ?? "", passcode: created?.passcode ?? passcode ?? "", name: name,
            role: host || create ? .host : .guest, identity: created?.host ?? stored, recordMix: record, recordDirectory: recordDirectory,
            trustedCertificates: ca)
        configuration.expectedHost = expectHost.flatMap { try? IdentityFingerprint(parsing: $0) }
        configuration.coHostNames = coHosts
        configuration.frameLog = frameLog
        configuration.admissionAnswer = consent ?? .ignore
        let client: MeetingClient
        do {
            client = try await MeetingClient.connect(configuration)
        } catch {
            output.fatal("\(error)")
        }
        output.identity(client.identity)
        if let consent { output.consent(consent.rawValue) }

        let outcome = await Session(
            client: client, signal: signal, duration: duration.map { .milliseconds(Int64($0 * 1000)) },
            upgradeAfter: upgradeAfter.map { .milliseconds(Int64($0 * 1000)) }
        )
        .run(printing: output)
        switch outcome {
        case .clean:
            return
        case .failed(let reason):
            output.fatal(reason)
        }
    }
}

/// `--consent`: how the host answers phone callers who ask to join its `e2ee` meeting.
extension AdmissionAnswer: ExpressibleByArgument {}
