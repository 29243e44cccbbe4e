using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Handoff.Operator.Controllers;

/// <summary>
/// One instance for equal values across the cached objects: pod templates (a function's template is most of its cached
/// object, and the functions of a fan-out usually have the same one: their inputs reach the pod through <c>args</c>, not
/// the template) and cost maps. Values are equal when their text (<c>text</c>: JSON, say) is (SHA-256, so one tenant
/// cannot forge a match for another's value). Instances are held weakly: a value no cached object uses any more is
/// collected, and its entry swept once entries outnumber twice those alive at the last sweep. Shared values are never
/// modified (a pod is built from a copy of its function's template, <c>FunctionPods.Build</c>).
/// </summary>
public sealed class SharedInstances<T>(Func<T, string> text)
    where T : class
{
    private const int MinSweepAt = 1024;

    private readonly Lock _gate = new();
    private readonly Dictionary<(ulong, ulong, ulong, ulong), WeakReference<T>> _byHash = [];
    private int _sweepAt = MinSweepAt;

    /// <summary>
    /// The instance to keep for <paramref name="value"/>: an equal one already kept, or this one — or, when
    /// <paramref name="keep"/> is given, what it makes of this one (a trimmed copy, say), made only when no equal
    /// value is kept yet.
    /// </summary>
    public T Share(T value, Func<T, T>? keep = null)
    {
        ArgumentNullException.ThrowIfNull(value);
        var json = text(value);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(MemoryMarshal.AsBytes(json.AsSpan()), hash);
        var words = MemoryMarshal.Cast<byte, ulong>(hash);
        var key = (words[0], words[1], words[2], words[3]);
        lock (_gate)
        {
            if (_byHash.TryGetValue(key, out var entry) && entry.TryGetTarget(out var shared))
            {
                return shared;
            }

            var kept = keep is null ? value : keep(value);
            _byHash[key] = new WeakReference<T>(kept);
            if (_byHash.Count >= _sweepAt)
            {
                Sweep();
            }

            return kept;
        }
    }

    /// <summary>Distinct values with an entry (alive or not yet swept).</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _byHash.Count;
            }
        }
    }

    private void Sweep()
    {
        foreach (var (key, reference) in _byHash)
        {
            if (!reference.TryGetTarget(out _))
            {
                _byHash.Remove(key);
            }
        }

        _sweepAt = Math.Max(MinSweepAt, 2 * _byHash.Count);
    }
}
