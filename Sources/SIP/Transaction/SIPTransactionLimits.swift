/// Limits that keep hostile traffic from growing the transaction layer's memory without bound.
public enum SIPTransactionLimits {
    /// Default cap on live transactions (server and client together).
    ///
    /// RFC 3261 sets no limit, but a transaction can outlive its final response by up to 64*T1
    /// (Timers H, J, L, M: 32 s with the default T1), so a flood of distinct branches at N requests
    /// per second keeps about 32*N transactions alive. 16,384 serves ~500 new transactions per
    /// second on a small gateway; past it the layer reports `.overloaded` and the TU answers 503
    /// (RFC 3261 §21.5.4) without creating state.
    public static let defaultMaximumTransactions = 16_384
}
