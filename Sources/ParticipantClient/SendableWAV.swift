import Foundation
import Media

extension MeetingAudio {
    /// Reads a WAV file to send: it must be 16-bit PCM mono at 48 kHz (no resampling is done, so a
    /// file at another rate is refused rather than played at the wrong speed).
    public static func readSignal(path: String) throws(ParticipantClientError) -> [Int16] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .unusableWAV(path: path, reason: "cannot read the file")
        }
        let file: WAVFile
        do throws(WAVError) {
            file = try WAVFile(bytes: Array(data))
        } catch {
            throw .unusableWAV(path: path, reason: "\(error) (--send needs 48 kHz 16-bit mono PCM)")
        }
        guard file.sampleRate == sampleRate else {
            throw .unusableWAV(
                path: path,
                reason: "\(file.sampleRate) Hz; --send needs 48 kHz 16-bit mono PCM (convert with: sox IN -r 48000 -c 1 -b 16 OUT)")
        }
        return file.samples
    }
}
