/// RTP and RTCP (RFC 3550), RFC 4733 telephone events, RFC 3389 comfort noise: pure, no I/O.
enum RTPModule {}
