using System.Collections.Concurrent;
using System.Text;
using k8s.Models;

namespace Handoff.Operator.Controllers;

/// <summary>
/// Equal quantities kept once: a cluster's Nodes mostly share a few shapes, and every status report (each kubelet posts
/// one every 5 minutes) brings its allocatable again. A quantity read from its JSON text (<see cref="Read"/>) is found
/// by that text, with nothing parsed or allocated once the text was seen; a quantity made elsewhere is found by its
/// value (<see cref="Keep"/>: its canonical text, formatted once). Bounded: past <see cref="Limit"/> values it starts
/// over rather than keeping them all.
/// </summary>
public sealed class KeptQuantities
{
    public const int Limit = 4096;

    // Canonical text → the kept instance; each kept instance (by reference); text as written → the kept instance.
    private readonly ConcurrentDictionary<string, ResourceQuantity> _byValue = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<ResourceQuantity, bool> _kept = new(ReferenceEqualityComparer.Instance);
    private readonly ConcurrentDictionary<string, ResourceQuantity> _byText = new(StringComparer.Ordinal);

    /// <summary>The kept instance equal to <paramref name="quantity"/> (itself, when kept already).</summary>
    public ResourceQuantity Keep(ResourceQuantity quantity)
    {
        ArgumentNullException.ThrowIfNull(quantity);
        if (_kept.ContainsKey(quantity))
        {
            return quantity;
        }

        if (_byValue.Count >= Limit)
        {
            Clear();
        }

        var kept = _byValue.GetOrAdd(quantity.ToString(), quantity);
        _kept.TryAdd(kept, true);
        return kept;
    }

    /// <summary>The kept quantity a JSON string's UTF-8 text (unescaped) says.</summary>
    public ResourceQuantity Read(ReadOnlySpan<byte> utf8)
    {
        Span<char> chars = stackalloc char[64];
        if (utf8.Length <= chars.Length)
        {
            chars = chars[..Encoding.UTF8.GetChars(utf8, chars)];
            if (_byText.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(chars, out var known))
            {
                return known;
            }
        }

        var text = Encoding.UTF8.GetString(utf8);
        var kept = Keep(new ResourceQuantity(text));
        if (_byText.Count >= Limit)
        {
            Clear();
        }

        _byText.TryAdd(text, kept);
        return kept;
    }

    /// <summary>Whether <paramref name="quantity"/> is a kept instance (for tests).</summary>
    internal bool IsKept(ResourceQuantity quantity) => _kept.ContainsKey(quantity);

    private void Clear()
    {
        _byText.Clear();
        _kept.Clear();
        _byValue.Clear();
    }
}
