#if canImport(Glibc)
    import Glibc
#endif

/// What the load programs (ForwardingLoad, LegsLoad) share to talk to `scripts/load`: their
/// arguments, one unbuffered line per figure, and a one-line failure.

/// The program's arguments, without its name.
public let arguments = Array(CommandLine.arguments.dropFirst())

/// The value after `name` (`--clients 10`), if given.
public func option(_ name: String) -> String? {
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return nil }
    return arguments[index + 1]
}

/// One line to a file descriptor, unbuffered (Swift 6 rejects C's `stdout`, and the script reads
/// a program's first line while it runs).
public func emit(_ line: String, to descriptor: Int32 = 1) {
    let bytes = Array((line + "\n").utf8)
    _ = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
}

/// `PROGRAM: message` on stderr, exit status 1.
public func fail(_ message: String) -> Never {
    let program = CommandLine.arguments.first.map { String($0.split(separator: "/").last ?? Substring($0)) } ?? "load"
    emit("\(program): \(message)", to: 2)
    exit(1)
}
