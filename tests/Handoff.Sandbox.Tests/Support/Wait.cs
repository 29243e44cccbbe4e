namespace Handoff.Sandbox.Tests.Support;

/// <summary>Awaits conditions with a timeout (no bare sleeps in tests).</summary>
internal static class Wait
{
    public static async Task<T> UntilAsync<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan? timeout = null, string? what = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        var ct = TestContext.Current.CancellationToken;
        T last;
        while (true)
        {
            last = await probe();
            if (done(last))
            {
                return last;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"condition not met in time: {what ?? "condition"}; last value: {last}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(25), ct);
        }
    }

    public static async Task UntilAsync(Func<bool> condition, TimeSpan? timeout = null, string? what = null) =>
        await UntilAsync(() => Task.FromResult(condition()), b => b, timeout, what);
}
