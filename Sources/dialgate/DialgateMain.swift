#if canImport(Glibc)
    import Glibc
#endif

@main
enum DialgateMain {
    static func main() async {
        // Before anything else: a SIGHUP that arrives before the reload handler is installed must
        // not kill the daemon (NOTES.md).
        signal(SIGHUP, SIG_IGN)
        await Dialgate.main()
    }
}
