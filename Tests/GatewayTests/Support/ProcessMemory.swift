import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Reads another process's memory through `/proc/PID/maps` and `/proc/PID/mem` (Linux), the way a core
/// dump would capture it, and reports which byte strings occur in it. The reader must be allowed to
/// trace the process (root, or its parent under Yama's default `ptrace_scope` 1).
enum ProcessMemory {
    struct Scan: Sendable {
        /// Needle name → how many regions held it.
        var found: [String: Int] = [:]
        /// Bytes read, over all readable regions.
        var bytesRead = 0
        var regionsRead = 0
    }

    /// Scans every readable mapping of `pid` for each needle (at least 8 bytes each).
    static func scan(pid: Int32, for needles: [String: [UInt8]]) throws -> Scan {
        let maps = try String(contentsOfFile: "/proc/\(pid)/maps", encoding: .utf8)
        let fd = open("/proc/\(pid)/mem", O_RDONLY)
        guard fd >= 0 else { throw HarnessError("cannot open /proc/\(pid)/mem: errno \(errno)") }
        defer { close(fd) }
        var scan = Scan()
        var buffer = [UInt8]()
        for line in maps.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 2, fields[1].hasPrefix("r") else { continue }
            // Kernel-provided pages are not the process's own data.
            if let name = fields.last, name == "[vvar]" || name == "[vsyscall]" || name == "[vvar_vclock]" { continue }
            let range = fields[0].split(separator: "-")
            guard range.count == 2, let start = UInt64(range[0], radix: 16), let end = UInt64(range[1], radix: 16), end > start else {
                continue
            }
            let length = Int(end - start)
            guard length <= 1 << 30 else { continue }
            if buffer.count < length { buffer = [UInt8](repeating: 0, count: length) }
            let read = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, length, off_t(Int64(bitPattern: start))) }
            guard read > 0 else { continue }
            scan.bytesRead += read
            scan.regionsRead += 1
            buffer.withUnsafeBytes { region in
                for (name, needle) in needles {
                    if contains(UnsafeRawBufferPointer(rebasing: region[0..<read]), needle) { scan.found[name, default: 0] += 1 }
                }
            }
        }
        return scan
    }

    /// Whether `needle` occurs in `haystack` (memchr for the first byte, then memcmp).
    static func contains(_ haystack: UnsafeRawBufferPointer, _ needle: [UInt8]) -> Bool {
        guard let base = haystack.baseAddress, !needle.isEmpty, needle.count <= haystack.count else { return false }
        return needle.withUnsafeBytes { needle in
            let first = Int32(needle[0])
            var offset = 0
            let last = haystack.count - needle.count
            while offset <= last {
                guard let hit = memchr(base + offset, first, last - offset + 1) else { return false }
                let position = base.distance(to: UnsafeRawPointer(hit))
                if memcmp(base + position, needle.baseAddress!, needle.count) == 0 { return true }
                offset = position + 1
            }
            return false
        }
    }
}
