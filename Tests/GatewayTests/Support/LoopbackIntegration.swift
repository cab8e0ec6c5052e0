import Testing

/// Every test that runs real processes on loopback (the daemon, sipp, sipsak, baresip) is nested
/// here, so they run one at a time: on 2 cores, parallel daemons under sipp load and real-time
/// audio would compete for the CPU and turn timing into flakiness. Unit tests still run in parallel.
@Suite(.serialized)
enum LoopbackIntegration {}
