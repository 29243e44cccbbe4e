namespace Handoff.Benchmarks.EndToEnd;

/// <summary>
/// Samples the operator's working set (<c>/proc</c>) and GC heap (its <c>/metrics</c>) every 250 ms until disposed, and
/// keeps the highest of each: <c>VmHWM</c> is the peak since the process started, this is the peak of one stretch.
/// Without the heap (<c>withHeap: false</c>) only <c>/proc</c> is read: <c>/metrics</c> at 5,000 nodes is megabytes of
/// node series, and rendering and reading it four times a second takes CPU from the latency it would stand beside.
/// </summary>
public sealed class MemorySampler : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private long _peakWorkingSet;
    private long _peakHeap;
    private int _missedSamples;

    public MemorySampler(OperatorProcess op, bool withHeap = true) => _loop = SampleAsync(op, withHeap, _stop.Token);

    public long PeakWorkingSetBytes => Volatile.Read(ref _peakWorkingSet);

    public long PeakHeapBytes => Volatile.Read(ref _peakHeap);

    /// <summary>Samples the operator did not answer in time (skipped).</summary>
    public int MissedSamples => Volatile.Read(ref _missedSamples);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }

    private async Task SampleAsync(OperatorProcess op, bool withHeap, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                try
                {
                    var memory = withHeap ? await op.MemoryAsync(cancellationToken) : await op.WorkingSetAsync(cancellationToken);
                    Max(ref _peakWorkingSet, memory.WorkingSetBytes);
                    Max(ref _peakHeap, memory.ManagedHeapBytes);
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested && !op.HasExited)
                {
                    // A busy operator answered /metrics too late (a long run's wave 8 once took over 10 s): one sample
                    // fewer, not the run's end.
                    Interlocked.Increment(ref _missedSamples);
                }

                await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException && op.HasExited)
        {
            // The failover runs end operators on purpose.
        }
    }

    // One writer (the sampling loop); readers only need the latest value.
    private static void Max(ref long peak, long value)
    {
        if (value > Volatile.Read(ref peak))
        {
            Volatile.Write(ref peak, value);
        }
    }
}
