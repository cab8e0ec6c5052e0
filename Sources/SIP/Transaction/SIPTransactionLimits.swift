/// Limits that keep hostile traffic from growing the transaction layer's memory without bound.
public enum SIPTransactionLimits {
    /// Default cap on live transactions (server and client together).
    ///
    /// RFC 3261 sets no limit, but a transaction can outlive its final response by up to 64*T1
    /// (Timers H, J, L, M: 32 s with the default T1), so N requests per second keep about 32*N
    /// transactions alive. A call over UDP leaves two (INVITE, BYE): 64 transaction-seconds, so
    /// 131,072 carries 2,000 calls a second (16,384 capped it at 256, docs/performance.md). Each
    /// keeps its last message, a few KB: the bound is a few hundred MB at worst. Past it the layer
    /// reports `.overloaded` and the TU answers 503 (RFC 3261 §21.5.4) without creating state.
    public static let defaultMaximumTransactions = 131_072
}
