using System.Collections.Concurrent;
using System.Diagnostics;

namespace Handoff.Benchmarks.EndToEnd;

/// <summary>When each of <c>expected</c> functions was first seen reaching a state, on a run's clock (milliseconds).</summary>
public sealed class FirstSeen(int expected, Stopwatch clock)
{
    private readonly ConcurrentDictionary<string, double> _at = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _all = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _first = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when every expected function has been seen.</summary>
    public Task All => _all.Task;

    /// <summary>Completes when the first function has been seen.</summary>
    public Task First => _first.Task;

    public int Count => _at.Count;

    public double Last => _at.Values.Max();

    public double Earliest => _at.Values.Min();

    public double At(string function) => _at[function];

    public bool TryGet(string function, out double at) => _at.TryGetValue(function, out at);

    public void Add(string function)
    {
        if (_at.TryAdd(function, clock.Elapsed.TotalMilliseconds))
        {
            _first.TrySetResult();
            if (_at.Count == expected)
            {
                _all.TrySetResult();
            }
        }
    }
}
