import Foundation

extension CallRecordStore {
    /// A one-waiter wake-up flag for the flusher: `fire()` from any thread, `wait()` from the one
    /// flusher task. A fire with nobody waiting is remembered until the next `wait()`.
    final class WakeSignal: @unchecked Sendable {
        // Guarded by `lock`.
        private let lock = NSLock()
        private var fired = false
        private var waiter: CheckedContinuation<Void, Never>?

        func fire() {
            let waiter = lock.withLock {
                let waiter = self.waiter
                self.waiter = nil
                if waiter == nil { fired = true }
                return waiter
            }
            waiter?.resume()
        }

        /// Forgets an earlier fire nobody waited for.
        func reset() {
            lock.withLock { fired = false }
        }

        /// Returns once fired, or when the task is cancelled (without consuming a fire).
        func wait() async {
            await withTaskCancellationHandler {
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    let resumeNow = lock.withLock {
                        if fired {
                            fired = false
                            return true
                        }
                        if Task.isCancelled { return true }
                        waiter = continuation
                        return false
                    }
                    if resumeNow { continuation.resume() }
                }
            } onCancel: {
                let waiter = lock.withLock {
                    let waiter = self.waiter
                    self.waiter = nil
                    return waiter
                }
                waiter?.resume()
            }
        }
    }
}
