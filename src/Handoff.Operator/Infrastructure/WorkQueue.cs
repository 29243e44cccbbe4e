namespace Handoff.Operator.Infrastructure;

/// <summary>
/// A work queue with controller-runtime's semantics: an item is queued at most once (de-duplicated); an item
/// added while it is being processed is queued again after <see cref="Done"/>, never handed out twice at once;
/// <see cref="AddAfter"/> delays (the earliest requested time wins); <see cref="AddRateLimited"/> delays
/// per item exponentially (base doubling, capped) until <see cref="Forget"/>.
/// </summary>
public sealed class WorkQueue<T> : IDisposable
    where T : notnull
{
    private readonly Lock _lock = new();
    private readonly Queue<T> _queue = new();
    private readonly HashSet<T> _dirty = [];
    private readonly HashSet<T> _processing = [];
    private readonly Dictionary<T, int> _failures = [];
    private readonly Dictionary<T, (DateTimeOffset Due, ITimer Timer)> _waiting = [];
    private readonly SemaphoreSlim _available = new(0);
    private readonly CancellationTokenSource _shutdown = new();
    private readonly TimeProvider _time;
    private readonly TimeSpan _baseDelay;
    private readonly TimeSpan _maxDelay;

    /// <param name="baseDelay">first rate-limited delay (client-go: 5 ms)</param>
    /// <param name="maxDelay">cap of the rate-limited delay (client-go: 1000 s)</param>
    public WorkQueue(TimeProvider time, TimeSpan? baseDelay = null, TimeSpan? maxDelay = null)
    {
        _time = time;
        _baseDelay = baseDelay ?? TimeSpan.FromMilliseconds(5);
        _maxDelay = maxDelay ?? TimeSpan.FromSeconds(1000);
    }

    public bool IsShutDown => _shutdown.IsCancellationRequested;

    /// <summary>Items queued and not yet handed out.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _queue.Count;
            }
        }
    }

    public void Add(T item)
    {
        lock (_lock)
        {
            if (IsShutDown || !_dirty.Add(item))
            {
                return;
            }

            if (_processing.Contains(item))
            {
                return;
            }

            _queue.Enqueue(item);
        }

        _available.Release();
    }

    /// <summary>Adds the item after the delay; a pending earlier delay for the same item wins.</summary>
    public void AddAfter(T item, TimeSpan delay)
    {
        if (delay <= TimeSpan.Zero)
        {
            Add(item);
            return;
        }

        lock (_lock)
        {
            if (IsShutDown)
            {
                return;
            }

            var due = _time.GetUtcNow() + delay;
            if (_waiting.TryGetValue(item, out var existing))
            {
                if (existing.Due <= due)
                {
                    return;
                }

                existing.Timer.Dispose();
            }

            var timer = _time.CreateTimer(_ => Fire(item, due), null, delay, Timeout.InfiniteTimeSpan);
            _waiting[item] = (due, timer);
        }
    }

    /// <summary>Adds the item after its per-item exponential back-off, and counts one more failure.</summary>
    public void AddRateLimited(T item)
    {
        TimeSpan delay;
        lock (_lock)
        {
            var failures = _failures.GetValueOrDefault(item);
            _failures[item] = failures + 1;
            delay = Backoff(failures);
        }

        AddAfter(item, delay);
    }

    /// <summary>The delay <see cref="AddRateLimited"/> uses after <paramref name="failures"/> earlier failures.</summary>
    public TimeSpan Backoff(int failures)
    {
        var ticks = _baseDelay.Ticks * Math.Pow(2, Math.Min(failures, 62));
        return ticks >= _maxDelay.Ticks ? _maxDelay : TimeSpan.FromTicks((long)ticks);
    }

    /// <summary>Stops counting failures for the item (call after it was processed successfully).</summary>
    public void Forget(T item)
    {
        lock (_lock)
        {
            _failures.Remove(item);
        }
    }

    public int NumRequeues(T item)
    {
        lock (_lock)
        {
            return _failures.GetValueOrDefault(item);
        }
    }

    /// <summary>Waits for the next item; returns (default, false) once the queue is shut down.</summary>
    public async Task<(T? Item, bool Ok)> GetAsync(CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _shutdown.Token);
        while (true)
        {
            try
            {
                await _available.WaitAsync(linked.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return (default, false);
            }

            lock (_lock)
            {
                if (IsShutDown)
                {
                    return (default, false);
                }

                if (_queue.TryDequeue(out var item))
                {
                    _processing.Add(item);
                    _dirty.Remove(item);
                    return (item, true);
                }
            }
        }
    }

    /// <summary>Marks the item processed; if it was added meanwhile, it is queued again.</summary>
    public void Done(T item)
    {
        var requeued = false;
        lock (_lock)
        {
            _processing.Remove(item);
            if (_dirty.Contains(item) && !IsShutDown)
            {
                _queue.Enqueue(item);
                requeued = true;
            }
        }

        if (requeued)
        {
            _available.Release();
        }
    }

    /// <summary>Stops handing out items; waiting <see cref="GetAsync"/> calls return.</summary>
    public void ShutDown()
    {
        lock (_lock)
        {
            if (IsShutDown)
            {
                return;
            }

            _shutdown.Cancel();
            foreach (var (_, timer) in _waiting.Values)
            {
                timer.Dispose();
            }

            _waiting.Clear();
        }
    }

    public void Dispose()
    {
        ShutDown();
        _available.Dispose();
        _shutdown.Dispose();
    }

    private void Fire(T item, DateTimeOffset due)
    {
        lock (_lock)
        {
            if (!_waiting.TryGetValue(item, out var entry) || entry.Due != due)
            {
                return;
            }

            _waiting.Remove(item);
            entry.Timer.Dispose();
        }

        Add(item);
    }
}
