using System.Threading.Channels;

namespace Handoff.Sandbox.Controllers;

/// <summary>
/// A controller's work queue, as client-go's: a key waiting in the queue is queued once however often it is added;
/// keys can be added after a delay; a key whose processing failed is retried with back-off.
/// </summary>
internal sealed class WorkQueue<T> : IDisposable
    where T : notnull
{
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(5);
    private readonly Channel<T> _channel = Channel.CreateUnbounded<T>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lock _lock = new();
    private readonly HashSet<T> _queued = [];
    private readonly Dictionary<T, int> _failures = [];
    private readonly HashSet<ITimer> _timers = [];
    private readonly TimeProvider _time;

    public WorkQueue(TimeProvider time) => _time = time;

    public void Add(T key)
    {
        lock (_lock)
        {
            if (!_queued.Add(key))
            {
                return;
            }
        }

        _channel.Writer.TryWrite(key);
    }

    /// <summary>Adds <paramref name="key"/> once <paramref name="delay"/> has passed on the queue's clock.</summary>
    public void AddAfter(T key, TimeSpan delay)
    {
        if (delay <= TimeSpan.Zero)
        {
            Add(key);
            return;
        }

        lock (_lock)
        {
            ITimer? timer = null;
            timer = _time.CreateTimer(
                _ =>
                {
                    lock (_lock)
                    {
                        _timers.Remove(timer!);
                    }

                    timer!.Dispose();
                    Add(key);
                },
                null,
                Timeout.InfiniteTimeSpan,
                Timeout.InfiniteTimeSpan);
            _timers.Add(timer);
            timer.Change(delay, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Processes keys one at a time until cancelled; a key whose handler throws is added again after a back-off.</summary>
    public async Task RunAsync(Action<T> handle, CancellationToken ct)
    {
        try
        {
            await foreach (var key in _channel.Reader.ReadAllAsync(ct))
            {
                lock (_lock)
                {
                    _queued.Remove(key);
                }

                try
                {
                    handle(key);
                    lock (_lock)
                    {
                        _failures.Remove(key);
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    int failures;
                    lock (_lock)
                    {
                        failures = _failures[key] = _failures.GetValueOrDefault(key) + 1;
                    }

                    AddAfter(key, TimeSpan.FromMilliseconds(Math.Min(MaxRetryDelay.TotalMilliseconds, 5 * Math.Pow(2, Math.Min(failures, 20)))));
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public void Dispose()
    {
        _channel.Writer.TryComplete();
        lock (_lock)
        {
            foreach (var timer in _timers)
            {
                timer.Dispose();
            }

            _timers.Clear();
        }
    }
}
