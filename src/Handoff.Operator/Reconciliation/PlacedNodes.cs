using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace Handoff.Operator.Reconciliation;

/// <summary>
/// The node each function of a pass is or was placed on (<see cref="FunctionView.PlacedNode"/>), by key, read through the
/// pass's index of functions instead of copied into a dictionary of its own on every pass: the cycle looks up only the
/// few targets of collocateWith, and the index is made only when it first does.
/// </summary>
public sealed class PlacedNodes(Lazy<Dictionary<string, FunctionView>> index) : IReadOnlyDictionary<string, string>
{
    private Dictionary<string, FunctionView> ByKey => index.Value;

    public string this[string key] => TryGetValue(key, out var node) ? node : throw new KeyNotFoundException(key);

    public IEnumerable<string> Keys => this.Select(kv => kv.Key);

    public IEnumerable<string> Values => this.Select(kv => kv.Value);

    public int Count => ByKey.Values.Count(f => f.PlacedNode is not null);

    public bool ContainsKey(string key) => TryGetValue(key, out _);

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out string value)
    {
        value = ByKey.TryGetValue(key, out var f) ? f.PlacedNode : null;
        return value is not null;
    }

    public IEnumerator<KeyValuePair<string, string>> GetEnumerator() =>
        ByKey.Where(kv => kv.Value.PlacedNode is not null).Select(kv => KeyValuePair.Create(kv.Key, kv.Value.PlacedNode!)).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
