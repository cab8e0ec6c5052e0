#if canImport(Glibc)
    import Glibc
#endif

@main
enum DialgateMain {
    static func main() async {
        // Before anything else: a SIGHUP that arrives before the reload handler is installed must
        // not kill the daemon (NOTES.md).
        signal(SIGHUP, SIG_IGN)
        raiseOpenFileLimit()
        await Dialgate.main()
    }

    /// Every call holds one or two RTP sockets: lift the soft descriptor limit to the hard one so
    /// thousands of legs fit (the usual soft default, 1024, would stop at a few hundred calls).
    static func raiseOpenFileLimit() {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
        limit.rlim_cur = limit.rlim_max
        _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }
}
