using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using CommunityToolkit.HighPerformance.Buffers;

namespace Handoff.Operator.Controllers;

/// <summary>
/// One instance for equal values across the cached objects: pod templates (a function's template is most of its cached
/// object, and the functions of a fan-out usually have the same one: their inputs reach the pod through <c>args</c>, not
/// the template) and cost maps. Values are equal when their text (<c>text</c>: JSON, say) is (SHA-256, so one tenant
/// cannot forge a match for another's value); a text can be written into a pooled buffer instead of made as a string
/// (<see cref="SharedInstances(Action{T, IBufferWriter{char}})"/>), so a lookup allocates nothing. Instances are held
/// weakly: a value no cached object uses any more is collected, and its entry swept once entries outnumber twice those
/// alive at the last sweep. Shared values are never modified (a pod is built from a copy of its function's template,
/// <c>FunctionPods.Build</c>).
/// A value can also be shared by its encoded form before it is decoded (<see cref="ShareEncoded{TState}"/>: the JSON an
/// API server sent): a value seen before is then not decoded again. Encoded forms and texts are hashed apart (a
/// value shared both ways may be kept twice, never confused).
/// </summary>
public sealed class SharedInstances<T>
    where T : class
{
    private const int MinSweepAt = 1024;

    private readonly Action<T, IBufferWriter<char>> _writeText;

    private readonly Lock _gate = new();
    private readonly Dictionary<(ulong, ulong, ulong, ulong), WeakReference<T>> _byHash = [];

    // The instances handed out as kept: sharing one of them again costs a lookup, not its text and hash.
    private readonly ConditionalWeakTable<T, object?> _kept = [];
    private int _sweepAt = MinSweepAt;

    /// <summary>Values compared by the text <paramref name="text"/> makes of them.</summary>
    public SharedInstances(Func<T, string> text)
    {
        ArgumentNullException.ThrowIfNull(text);
        _writeText = (value, writer) => writer.Write(text(value).AsSpan());
    }

    /// <summary>Values compared by the text <paramref name="writeText"/> writes of them, into a pooled buffer.</summary>
    public SharedInstances(Action<T, IBufferWriter<char>> writeText)
    {
        ArgumentNullException.ThrowIfNull(writeText);
        _writeText = writeText;
    }

    /// <summary>
    /// The instance to keep for <paramref name="value"/>: an equal one already kept, or this one — or, when
    /// <paramref name="keep"/> is given, what it makes of this one (a trimmed copy, say), made only when no equal
    /// value is kept yet.
    /// </summary>
    public T Share(T value, Func<T, T>? keep = null)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (IsKept(value))
        {
            return value;
        }

        (ulong, ulong, ulong, ulong) key;
        using (var text = new ArrayPoolBufferWriter<char>(256))
        {
            _writeText(value, text);
            key = KeyOf(MemoryMarshal.AsBytes(text.WrittenSpan), domain: 0);
        }

        lock (_gate)
        {
            if (Find(key) is { } shared)
            {
                return shared;
            }

            return Keep(key, keep is null ? value : keep(value));
        }
    }

    /// <summary>
    /// The instance to keep for the value <paramref name="encoded"/> (UTF-8 JSON, say) decodes to: an equal one
    /// already kept, found by the encoding alone — or, when none is, what <paramref name="decode"/> makes of
    /// <paramref name="state"/>. Equal encodings make equal values; equal values with different encodings (other key
    /// order, spacing) are merely kept apart.
    /// </summary>
    public T ShareEncoded<TState>(ReadOnlySpan<byte> encoded, TState state, Func<TState, T> decode)
        where TState : allows ref struct
    {
        ArgumentNullException.ThrowIfNull(decode);
        var key = KeyOf(encoded, domain: 1);
        lock (_gate)
        {
            if (Find(key) is { } shared)
            {
                return shared;
            }
        }

        // Decoded outside the lock (it may throw on a bad value, and takes longer than a lookup); of two threads
        // decoding the same new value at once, the first to come back is kept and the other's copy dropped.
        var decoded = decode(state);
        lock (_gate)
        {
            return Find(key) ?? Keep(key, decoded);
        }
    }

    /// <summary>True when <paramref name="value"/> is an instance this pool handed out as the one kept.</summary>
    public bool IsKept(T value) => _kept.TryGetValue(value, out _);

    private static (ulong, ulong, ulong, ulong) KeyOf(ReadOnlySpan<byte> bytes, byte domain)
    {
        // SHA-256 (not a faster non-cryptographic hash): one tenant must not be able to forge a match for another's value.
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(bytes, hash);
        hash[0] ^= domain;
        var words = MemoryMarshal.Cast<byte, ulong>(hash);
        return (words[0], words[1], words[2], words[3]);
    }

    private T? Find((ulong, ulong, ulong, ulong) key) =>
        _byHash.TryGetValue(key, out var entry) && entry.TryGetTarget(out var shared) ? shared : null;

    private T Keep((ulong, ulong, ulong, ulong) key, T kept)
    {
        _byHash[key] = new WeakReference<T>(kept);
        _kept.AddOrUpdate(kept, null);
        if (_byHash.Count >= _sweepAt)
        {
            Sweep();
        }

        return kept;
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
