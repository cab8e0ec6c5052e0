import Foundation
import Media

/// What one baresip call left behind.
struct BaresipCall: Sendable {
    /// baresip's exit status (0 after a clean `q`).
    var status: Int32
    /// Whether baresip logged "Call established" (a 2xx answer and a working offer/answer).
    var established: Bool
    /// baresip's console log, with the SIP trace (`-s`).
    var log: String
    /// The audio the phone was asked to send (the fixture, before its silence padding).
    var sent: URL
    /// What baresip actually fed its encoder (the `sndfile` filter's "enc" dump), mono.
    var recordedSent: URL?
    /// What baresip decoded from the peer (the `sndfile` filter's "dec" dump), mono.
    var received: URL?
    /// RFC 4733 events baresip received back, one character per completed event ("end" bit set),
    /// in arrival order: on an echo peer, the digits it sent.
    var receivedEvents: String
    /// The folder holding config, log and recordings; removed by `cleanUp()`.
    var directory: URL

    /// Cross-correlates `sent` with `received` (see `AudioCheck`).
    func audioCheck(maximumLag: Duration = .seconds(1)) throws -> AudioCheck.Result {
        guard let received else { throw HarnessError("baresip recorded no received audio:\n\(log.suffix(3000))") }
        return try AudioCheck.compare(sent: sent, received: received, maximumLag: maximumLag)
    }

    func cleanUp() { try? FileManager.default.removeItem(at: directory) }
}

/// A real softphone, baresip 1.0.0 (Debian `baresip-core`), run headless on loopback for one call.
///
/// Audio goes in from a WAV file (`aufile` source) and comes out as WAV dumps of both directions
/// (`sndfile` filter); there is no sound card (`aubridge` is the player, a sink nobody reads).
/// baresip is driven through its `stdio` + `menu` console on a pipe: `/dial`, `/sndcode`,
/// `/hangup`, `q`.
///
/// DTMF: baresip 1.0.0 sends digits only as RFC 4733 telephone-events (`/sndcode 123#`: each
/// digit is a key press, then one key release). It has no `dtmfmode` account option and cannot
/// send SIP INFO; it only parses received INFO (`application/dtmf-relay`, `Signal=`).
enum Baresip {
    /// The audio codecs the harness can offer, one per call.
    enum Codec: String, Sendable, CaseIterable, CustomStringConvertible {
        case pcmu, pcma, opus

        /// The `audio_codecs` account value (baresip's codec name/rate/channels).
        var accountName: String {
            switch self {
            case .pcmu: "PCMU/8000"
            case .pcma: "PCMA/8000"
            case .opus: "opus/48000/2"
            }
        }

        /// `aufile` refuses a source whose rate differs from the codec's, so each rate has its fixture.
        var sampleRate: Int { self == .opus ? 48000 : 8000 }

        var description: String { rawValue }
    }

    /// The committed test audio (2.5 s of speech, chirp and tones; `scripts/make-test-audio`).
    static func fixture(sampleRate: Int) -> URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/speech-chirp-\(sampleRate).wav")
    }

    /// How long to wait for "Call established" after `/dial`.
    static let answerTimeout: Duration = .seconds(15)
    /// baresip's RFC 4733 events for one digit take about 0.2 s; this leaves room for the echo.
    static let perDigit: Duration = .milliseconds(400)

    /// Places one call from a fresh baresip to `uri` and returns what happened. `codec` is the
    /// only codec offered; `srtp` makes SDES-SRTP mandatory (`mediaenc=srtp-mand`, RTP/SAVP);
    /// `digits` are sent as RFC 4733 events after `duration` of audio; the call then stays up for
    /// `afterDigits` (an IVR that joins a meeting), and baresip hangs up.
    /// `audio` replaces the fixture (a 16-bit mono WAV at the codec's rate). `tls` gives baresip
    /// the CA that signed the gateway's certificate (and its own certificate), for a `uri` with
    /// `;transport=tls` or `sips:`.
    static func call(
        uri: String, codec: Codec, srtp: Bool = false, digits: String = "", duration: Duration = .seconds(4), audio: URL? = nil,
        afterDigits: Duration = .zero, tls: TLS? = nil
    ) async throws -> BaresipCall {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("dialgate-baresip-\(UUID().uuidString)")
        let recordings = directory.appendingPathComponent("recordings")
        try FileManager.default.createDirectory(at: recordings, withIntermediateDirectories: true)
        let sent = audio ?? fixture(sampleRate: codec.sampleRate)

        // aufile ends the call at the end of its file: pad the source with silence past the hang-up.
        var source = try AudioCheck.load(sent)
        guard source.sampleRate == codec.sampleRate else {
            throw HarnessError("\(sent.lastPathComponent) is \(source.sampleRate) Hz; \(codec) needs \(codec.sampleRate) Hz")
        }
        let padding = duration + perDigit * digits.count + afterDigits + .seconds(10)
        source.samples += [Int16](repeating: 0, count: Int(padding.components.seconds) * source.sampleRate)
        let sourceURL = directory.appendingPathComponent("source.wav")
        try Data(source.serialized()).write(to: sourceURL)

        try (configuration(source: sourceURL, recordings: recordings) + (tls?.configuration ?? "")).write(
            to: directory.appendingPathComponent("config"), atomically: true, encoding: .utf8)
        try account(codec: codec, srtp: srtp).write(to: directory.appendingPathComponent("accounts"), atomically: true, encoding: .utf8)

        let console = try Console(directory: directory)
        defer { console.stopIfRunning() }
        try await console.waitFor("baresip is ready.", timeout: .seconds(60))
        try console.send("/dial \(uri)\n")
        let established = try await console.waitForCallEstablished(timeout: answerTimeout)
        if established {
            try await Task.sleep(for: duration)
            if !digits.isEmpty {
                try console.send("/sndcode \(digits)\n")
                try await Task.sleep(for: perDigit * digits.count + .seconds(1))
            }
            if afterDigits > .zero { try await Task.sleep(for: afterDigits) }
            try console.send("/hangup\n")
            _ = try? await console.waitFor("terminated", timeout: .seconds(5))
        }
        try? console.send("q")
        let status = await console.waitForExit(timeout: .seconds(5))
        let log = console.log
        return BaresipCall(
            status: status, established: established, log: log, sent: sent,
            recordedSent: try await mono(dump(in: recordings, ending: "-enc.wav")),
            received: try await mono(dump(in: recordings, ending: "-dec.wav")),
            receivedEvents: receivedEvents(in: log), directory: directory)
    }

    /// The `config` file: loopback only, WAV in, WAV dumps out, the codec and SRTP modules, and
    /// the console menu. Key names are those of baresip 1.0.0's own generated template.
    static func configuration(source: URL, recordings: URL) -> String {
        """
        poll_method\t\tepoll
        # Loopback only: SIP on an ephemeral port, and 127.0.0.1 as the address put in SDP.
        sip_listen\t\t127.0.0.1:0
        net_interface\t\t127.0.0.1
        call_local_timeout\t30
        call_max_calls\t\t1
        audio_source\t\taufile,\(source.path)
        audio_player\t\taubridge,dialgate-sink
        audio_alert\t\taubridge,dialgate-sink
        ausrc_channels\t\t1
        auplay_channels\t\t1
        audio_level\t\tno
        ausrc_format\t\ts16
        auplay_format\t\ts16
        auenc_format\t\ts16
        audec_format\t\ts16
        audio_buffer\t\t20-160
        rtcp_mux\t\tno
        jitter_buffer_delay\t1-10
        rtp_stats\t\tno
        module_path\t\t/usr/lib/baresip/modules
        module\t\t\tstdio.so
        module\t\t\tg711.so
        module\t\t\topus.so
        module\t\t\taufile.so
        module\t\t\taubridge.so
        module\t\t\tsndfile.so
        module\t\t\tsrtp.so
        module_tmp\t\tuuid.so
        module_tmp\t\taccount.so
        module_app\t\tmenu.so
        snd_path\t\t\(recordings.path)
        statmode_default\toff
        ringback_disabled\tyes
        opus_bitrate\t\t64000

        """
    }

    /// SIP over TLS for one call: the CA file baresip trusts (`sip_cafile`), and optionally its
    /// own certificate and key in one PEM file (`sip_certificate`, for mutual TLS).
    struct TLS: Sendable {
        var authority: URL
        var certificate: URL?

        /// The lines added to `configuration(source:recordings:)`.
        var configuration: String {
            "sip_cafile\t\t\(authority.path)\n" + (certificate.map { "sip_certificate\t\t\($0.path)\n" } ?? "")
        }
    }

    /// The `accounts` file: one local account that never registers, offering one codec (plus
    /// telephone-event, which baresip always adds), 20 ms packets, and optionally mandatory SDES.
    static func account(codec: Codec, srtp: Bool) -> String {
        "<sip:phone@127.0.0.1>;regint=0;answermode=manual;audio_codecs=\(codec.accountName);ptime=20"
            + (srtp ? ";mediaenc=srtp-mand" : "") + "\n"
    }

    /// The characters of completed RFC 4733 events in `log` ("received event: '5' (end=1)").
    static func receivedEvents(in log: String) -> String {
        var digits = ""
        for line in log.split(separator: "\n") where line.hasPrefix("received event: '") && line.hasSuffix("(end=1)") {
            let afterQuote = line.dropFirst("received event: '".count)
            if let digit = afterQuote.first { digits.append(digit) }
        }
        return digits
    }

    static func dump(in folder: URL, ending: String) -> URL? {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasSuffix(ending) }.sorted().last.map { folder.appendingPathComponent($0) }
    }

    /// sndfile dumps at the codec's channel count (Opus is 2 per RFC 7587); keep the left channel.
    static func mono(_ url: URL?) async throws -> URL? {
        guard let url else { return nil }
        let header = try FileHandle(forReadingFrom: url).read(upToCount: 24) ?? Data()
        guard header.count >= 24, header[22] == 2 else { return url }
        let output = url.deletingPathExtension().appendingPathExtension("mono.wav")
        let result = try await ExternalProcess.run("sox", ["-D", url.path, output.path, "remix", "1"], timeout: .seconds(30))
        guard result.status == 0 else { throw HarnessError("sox could not take channel 1 of \(url.path): \(result.standardError)") }
        return output
    }
}

extension Baresip {
    /// The running baresip: its console on a pipe, its output in a log file.
    final class Console: @unchecked Sendable {
        let process = Process()
        let input = Pipe()
        let logFile: URL

        init(directory: URL) throws {
            logFile = directory.appendingPathComponent("baresip.log")
            _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
            process.executableURL = URL(fileURLWithPath: try ExternalProcess.resolve("baresip"))
            process.arguments = ["-f", directory.path, "-s"]
            process.currentDirectoryURL = directory
            process.standardInput = input
            let output = try FileHandle(forWritingTo: logFile)
            process.standardOutput = output
            process.standardError = output
            // A write racing baresip's exit must be an error, not a SIGPIPE that kills the test run.
            signal(SIGPIPE, SIG_IGN)
            try process.run()
        }

        var log: String { (try? String(contentsOf: logFile, encoding: .utf8)) ?? "" }

        func send(_ text: String) throws {
            guard process.isRunning else { throw HarnessError("baresip exited before \(text.debugDescription):\n\(log.suffix(3000))") }
            try input.fileHandleForWriting.write(contentsOf: Data(text.utf8))
        }

        /// Waits until `log` contains `text`.
        func waitFor(_ text: String, timeout: Duration) async throws {
            let clock = ContinuousClock()
            let deadline = clock.now.advanced(by: timeout)
            while clock.now < deadline {
                if log.contains(text) { return }
                guard process.isRunning else { throw HarnessError("baresip exited while waiting for \"\(text)\":\n\(log.suffix(3000))") }
                try await Task.sleep(for: .milliseconds(50))
            }
            throw HarnessError("baresip did not log \"\(text)\" within \(timeout):\n\(log.suffix(3000))")
        }

        /// True on "Call established", false when the call ended first (rejected, failed).
        func waitForCallEstablished(timeout: Duration) async throws -> Bool {
            let clock = ContinuousClock()
            let deadline = clock.now.advanced(by: timeout)
            while clock.now < deadline, process.isRunning {
                let text = log
                if text.contains("Call established") { return true }
                if text.contains(": Call with ") && text.contains("terminated") { return false }
                try await Task.sleep(for: .milliseconds(50))
            }
            return false
        }

        /// Waits for baresip to quit; SIGTERM, then SIGKILL, if it does not.
        func waitForExit(timeout: Duration) async -> Int32 {
            let clock = ContinuousClock()
            let deadline = clock.now.advanced(by: timeout)
            while process.isRunning, clock.now < deadline { try? await Task.sleep(for: .milliseconds(50)) }
            stopIfRunning()
            return process.terminationStatus
        }

        func stopIfRunning() {
            if process.isRunning {
                process.terminate()
                usleep(300_000)
                if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            }
            process.waitUntilExit()
            try? input.fileHandleForWriting.close()
        }
    }
}
