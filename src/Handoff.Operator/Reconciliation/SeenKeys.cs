namespace Handoff.Operator.Reconciliation;

/// <summary>
/// The keys of the objects a pass saw, for <see cref="TermState.Forget"/>: counted at once, put into a set only when a
/// memo must be swept against them. A pass over 15,000 functions spent ~7 ms building four such sets that the memos,
/// swept only once they outgrow the objects, mostly never looked at.
/// </summary>
public sealed class SeenKeys
{
    private readonly Func<IEnumerable<string>> _keys;
    private HashSet<string>? _set;

    private SeenKeys(int count, Func<IEnumerable<string>> keys)
    {
        Count = count;
        _keys = keys;
    }

    /// <summary>How many keys there are (each object once).</summary>
    public int Count { get; }

    /// <summary>The keys as a set, made on first use.</summary>
    public HashSet<string> Set => _set ??= new HashSet<string>(_keys(), StringComparer.Ordinal);

    /// <summary><paramref name="count"/> distinct keys, enumerated by <paramref name="keys"/> when the set is first needed.</summary>
    public static SeenKeys Of(int count, Func<IEnumerable<string>> keys) => new(count, keys);

    /// <summary>Distinct keys already at hand.</summary>
    public static SeenKeys Of(IReadOnlyCollection<string> keys) => new(keys.Count, () => keys);

    /// <summary>Drops the entries of <paramref name="memo"/> (keyed like these keys) whose key is not among them.</summary>
    public void Prune<TValue>(IDictionary<string, TValue> memo)
    {
        ArgumentNullException.ThrowIfNull(memo);
        if (memo.Count == 0)
        {
            return;
        }

        var set = Set;
        foreach (var key in memo.Keys.Where(k => !set.Contains(k)).ToList())
        {
            memo.Remove(key);
        }
    }

    /// <summary>
    /// <see cref="Prune"/>, only once <paramref name="memo"/> holds more entries than there are keys: a memo that checks
    /// each entry's version on use need not be swept on every pass.
    /// </summary>
    public void PruneOnceLarger<TValue>(IDictionary<string, TValue> memo)
    {
        ArgumentNullException.ThrowIfNull(memo);
        if (memo.Count > Count)
        {
            Prune(memo);
        }
    }
}
