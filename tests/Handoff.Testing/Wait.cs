using Xunit;

namespace Handoff.Testing;

/// <summary>
/// Awaits a condition with a timeout, polling it, so tests never sleep blindly. A condition that throws is polled
/// again (the object may not exist yet); a timeout names what was awaited, the last value seen and the last error.
/// The wait ends with the test (its cancellation token).
/// </summary>
public static class Wait
{
    public static TimeSpan DefaultTimeout { get; } = TimeSpan.FromSeconds(20);

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(20);

    public static Task UntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null) =>
        ForAsync(() => Task.FromResult(condition()), done => done, what, timeout);

    public static Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null) =>
        ForAsync(condition, done => done, what, timeout);

    /// <summary>Polls <paramref name="probe"/> until <paramref name="done"/> holds for its value; returns that value.</summary>
    public static async Task<T> ForAsync<T>(Func<Task<T>> probe, Func<T, bool> done, string what, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(probe);
        ArgumentNullException.ThrowIfNull(done);
        var limit = timeout ?? DefaultTimeout;
        var testEnded = TestContext.Current.CancellationToken;
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(testEnded);
        cts.CancelAfter(limit);
        var seen = false;
        T last = default!;
        Exception? error = null;
        while (true)
        {
            try
            {
                last = await probe();
                seen = true;
                if (done(last))
                {
                    return last;
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                error = ex;
            }

            try
            {
                await Task.Delay(PollInterval, cts.Token);
            }
            catch (OperationCanceledException) when (!testEnded.IsCancellationRequested)
            {
                throw new TimeoutException(
                    $"timed out after {limit.TotalSeconds:0.#} s waiting until {what}"
                    + (seen && typeof(T) != typeof(bool) ? $"; last value: {last}" : "")
                    + (error is null ? "" : $" (last error: {error.Message})"),
                    error);
            }
        }
    }
}
