using System.Collections;
using System.Globalization;
using System.Text;
using k8s.Models;

// Over ~400 lines on purpose: one value type with its parsing, exact milli-unit arithmetic and formatting, every
// member relying on the same representation.

namespace Handoff.Core.Resources;

/// <summary>
/// An immutable map from resource name to an amount in milli-units (1 = 1m, 1000 = one unit), with exact
/// integer arithmetic. Values are parsed from Kubernetes quantities with <see cref="ResourceQuantity"/>.
/// A resource a list does not name counts as 0. Entries are kept in ordinal name order; an entry with 0 is kept
/// (so <c>available: {gpu: "0"}</c> still shows), but <see cref="Fits(ResourceList, ResourceList)"/> treats
/// missing and 0 alike. Results of <see cref="Subtract"/> may be negative (e.g. available capacity after a
/// node's capacity was lowered below what is allocated); parsed lists never are.
/// </summary>
public sealed partial class ResourceList : IEquatable<ResourceList>, IReadOnlyCollection<KeyValuePair<string, long>>
{
    private const int MaxNameLength = 253 + 1 + 63;

    // Parallel arrays sorted by ordinal name: resource lists are small (a handful of entries), so merge-walks and
    // linear scans beat tree or hash lookups and allocate nothing.
    private readonly string[] _names;
    private readonly long[] _values;

    private ResourceList(string[] names, long[] values)
    {
        _names = names;
        _values = values;
    }

    /// <summary>The empty list: costs nothing, has no capacity.</summary>
    public static ResourceList Empty { get; } = new([], []);

    /// <summary>Number of named resources.</summary>
    public int Count => _names.Length;

    /// <summary>Resource names in ordinal order.</summary>
    public IEnumerable<string> Names => _names;

    /// <summary>True when every amount is 0 (or there is none).</summary>
    public bool IsZero => Array.TrueForAll(_values, v => v == 0);

    /// <summary>The amount of <paramref name="resourceName"/> in milli-units; 0 when not listed.</summary>
    public long this[string resourceName] => IndexOf(resourceName) is var i and >= 0 ? _values[i] : 0;

    /// <summary>Whether the list names the resource (even with 0).</summary>
    public bool Contains(string resourceName) => IndexOf(resourceName) >= 0;

    private int IndexOf(string name)
    {
        var lo = 0;
        var hi = _names.Length - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            var c = string.CompareOrdinal(_names[mid], name);
            if (c == 0)
            {
                return mid;
            }

            if (c < 0)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return -1;
    }

    private static ResourceList FromSorted(SortedDictionary<string, long> items) => new([.. items.Keys], [.. items.Values]);

    /// <summary>
    /// Parses name → Kubernetes quantity pairs (e.g. <c>cpu: "500m"</c>, <c>memory: "16Gi"</c>).
    /// Throws <see cref="ResourceValidationException"/> naming the resource and value for an invalid name,
    /// an unparsable or negative quantity, a quantity finer than 1m, or one too large for 64-bit milli-units.
    /// </summary>
    public static ResourceList Parse(IEnumerable<KeyValuePair<string, string>>? quantities)
    {
        if (quantities is null)
        {
            return Empty;
        }

        var builder = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var (name, value) in quantities)
        {
            ValidateName(name);
            builder[name] = ParseQuantity(name, value);
        }

        return FromSorted(builder);
    }

    /// <summary>Builds a list from milli-unit amounts; validates names and that amounts are not negative.</summary>
    public static ResourceList FromMilli(IEnumerable<KeyValuePair<string, long>> amounts)
    {
        var builder = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var (name, value) in amounts)
        {
            ValidateName(name);
            if (value < 0)
            {
                throw new ResourceValidationException(name, FormatMilli(value), $"{name}: quantity {FormatMilli(value)} must not be negative");
            }

            builder[name] = value;
        }

        return FromSorted(builder);
    }

    /// <summary>Convenience for code and tests: <c>ResourceList.Of(("cpu", "2"), ("memory", "4000"))</c>.</summary>
    public static ResourceList Of(params (string Name, string Quantity)[] quantities) =>
        Parse(quantities.Select(q => KeyValuePair.Create(q.Name, q.Quantity)));

    /// <summary>
    /// Parses one Kubernetes quantity into milli-units with <see cref="ResourceQuantity"/>.
    /// </summary>
    /// <exception cref="ResourceValidationException">invalid, negative, finer than 1m, or too large.</exception>
    public static long ParseQuantity(string resourceName, string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new ResourceValidationException(resourceName, value, $"{resourceName}: invalid quantity \"{value}\": empty");
        }

        decimal amount;
        try
        {
            amount = new ResourceQuantity(value.Trim()).ToDecimal();
        }
        catch (Exception e) when (e is FormatException or ArgumentException or OverflowException or InvalidOperationException)
        {
            throw new ResourceValidationException(
                resourceName, value, $"{resourceName}: invalid quantity \"{value}\" (expected a Kubernetes quantity such as 2, 500m, 16Gi, 4000 or 1e3)");
        }

        if (amount < 0)
        {
            throw new ResourceValidationException(resourceName, value, $"{resourceName}: quantity \"{value}\" must not be negative");
        }

        decimal milli;
        try
        {
            milli = amount * 1000m;
        }
        catch (OverflowException)
        {
            throw new ResourceValidationException(resourceName, value, $"{resourceName}: quantity \"{value}\" is too large");
        }

        if (milli != decimal.Truncate(milli))
        {
            throw new ResourceValidationException(
                resourceName, value, $"{resourceName}: quantity \"{value}\" is finer than 1m (at most 3 decimal places of a unit)");
        }

        if (milli > long.MaxValue)
        {
            throw new ResourceValidationException(resourceName, value, $"{resourceName}: quantity \"{value}\" is too large");
        }

        return (long)milli;
    }

    private static readonly (string Suffix, long Factor)[] BinarySuffixes =
    [
        ("Ei", 1L << 60), ("Pi", 1L << 50), ("Ti", 1L << 40), ("Gi", 1L << 30), ("Mi", 1L << 20),
    ];

    /// <summary>
    /// Formats milli-units as a Kubernetes quantity that round-trips exactly: whole units as a plain integer
    /// (<c>16000</c>, not <c>16k</c>, so user units such as MB stay readable), whole multiples of 1Mi or more with
    /// the largest exact binary suffix (<c>8Gi</c>, <c>512Mi</c>), otherwise milli-units (<c>500m</c>).
    /// </summary>
    public static string FormatMilli(long milli)
    {
        if (milli % 1000 != 0)
        {
            return milli.ToString(CultureInfo.InvariantCulture) + "m";
        }

        var units = milli / 1000;
        if (units != 0)
        {
            foreach (var (suffix, factor) in BinarySuffixes)
            {
                if (units % factor == 0)
                {
                    return (units / factor).ToString(CultureInfo.InvariantCulture) + suffix;
                }
            }
        }

        return units.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Whether <paramref name="name"/> is a valid resource name: an optional DNS-subdomain prefix and <c>/</c>,
    /// then 1–63 letters, digits, <c>-</c>, <c>_</c>, <c>.</c> starting and ending with a letter or digit.
    /// </summary>
    public static bool IsValidName(string? name) => NameError(name) is null;

    /// <summary>Throws <see cref="ResourceValidationException"/> if <paramref name="name"/> is not a valid resource name.</summary>
    public static void ValidateName(string? name)
    {
        var error = NameError(name);
        if (error is not null)
        {
            throw new ResourceValidationException(name ?? "", null, $"invalid resource name \"{name}\": {error}");
        }
    }

    private static string? NameError(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return "must not be empty";
        }

        if (name.Length > MaxNameLength)
        {
            return "too long";
        }

        var slash = name.IndexOf('/', StringComparison.Ordinal);
        var local = name;
        if (slash >= 0)
        {
            var prefix = name[..slash];
            local = name[(slash + 1)..];
            if (!IsDnsSubdomain(prefix))
            {
                return $"prefix \"{prefix}\" must be a DNS subdomain (lower-case letters, digits, '-' and '.', e.g. nvidia.com)";
            }
        }

        if (local.Length is 0 or > 63)
        {
            return "the name after the prefix must be 1 to 63 characters";
        }

        if (!char.IsAsciiLetterOrDigit(local[0]) || !char.IsAsciiLetterOrDigit(local[^1]))
        {
            return "must start and end with a letter or digit";
        }

        foreach (var c in local)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('-' or '_' or '.'))
            {
                return $"character '{c}' is not allowed (letters, digits, '-', '_' and '.' only, after an optional DNS-subdomain prefix and '/')";
            }
        }

        return null;
    }

    private static bool IsDnsSubdomain(string prefix)
    {
        if (prefix.Length is 0 or > 253)
        {
            return false;
        }

        foreach (var label in prefix.Split('.'))
        {
            if (label.Length is 0 or > 63 || label[0] == '-' || label[^1] == '-')
            {
                return false;
            }

            if (label.Any(c => !(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-')))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>True when <paramref name="cost"/> needs no more of any resource than <paramref name="available"/> has.</summary>
    public static bool Fits(ResourceList cost, ResourceList available)
    {
        var a = 0;
        for (var c = 0; c < cost._names.Length; c++)
        {
            var amount = cost._values[c];
            if (amount <= 0)
            {
                continue;
            }

            var name = cost._names[c];
            while (a < available._names.Length && string.CompareOrdinal(available._names[a], name) < 0)
            {
                a++;
            }

            var have = a < available._names.Length && string.Equals(available._names[a], name, StringComparison.Ordinal) ? available._values[a] : 0;
            if (amount > have)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>True when this cost fits in <paramref name="available"/>.</summary>
    public bool FitsIn(ResourceList available) => Fits(this, available);

    /// <summary>Names (ordinal order) of the resources this cost needs more of than <paramref name="available"/> has.</summary>
    public IReadOnlyList<string> InsufficientIn(ResourceList available)
    {
        List<string>? result = null;
        for (var i = 0; i < _names.Length; i++)
        {
            if (_values[i] > 0 && _values[i] > available[_names[i]])
            {
                (result ??= []).Add(_names[i]);
            }
        }

        return result ?? (IReadOnlyList<string>)[];
    }

    /// <summary>Sum per resource (union of names). Throws <see cref="OverflowException"/> past 64 bits.</summary>
    public ResourceList Add(ResourceList other) => Combine(other, static (a, b) => checked(a + b));

    /// <summary>Difference per resource (union of names); may be negative.</summary>
    public ResourceList Subtract(ResourceList other) => Combine(other, static (a, b) => checked(a - b));

    /// <summary>What is left of each of this list's resources once <paramref name="other"/> is taken, never below 0 (only this list's names).</summary>
    public ResourceList SubtractClamped(ResourceList other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return other.Count == 0 ? this : FromMilli(this.Select(e => KeyValuePair.Create(e.Key, Math.Max(0, e.Value - other[e.Key]))));
    }

    /// <summary>The entries whose name and amount satisfy <paramref name="predicate"/>.</summary>
    public ResourceList Filter(Func<string, long, bool> predicate)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        var kept = this.Where(e => predicate(e.Key, e.Value)).ToList();
        return kept.Count == Count ? this : FromMilli(kept);
    }

    /// <summary>This list with each entry of <paramref name="entries"/> set (added, or replacing the entry of the same name).</summary>
    public ResourceList SetEntries(ResourceList entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        return entries.Count == 0 ? this : FromMilli(this.Where(e => !entries.Contains(e.Key)).Concat(entries));
    }

    /// <summary>Per-resource maximum (union of names), e.g. for peak usage.</summary>
    public ResourceList Max(ResourceList other) => Combine(other, Math.Max);

    // Called for every admitted workload of every pass (a queue's usage, a node's sum): no intermediate lists, and two
    // lists of the same names (the common case: a queue's usage and one more cost of the same kinds) share the names.
    private ResourceList Combine(ResourceList other, Func<long, long, long> op)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (SameNames(_names, other._names))
        {
            var sums = new long[_names.Length];
            for (var k = 0; k < sums.Length; k++)
            {
                sums[k] = op(_values[k], other._values[k]);
            }

            return new ResourceList(_names, sums);
        }

        var names = new string[_names.Length + other._names.Length];
        var values = new long[names.Length];
        int i = 0, j = 0, n = 0;
        while (i < _names.Length || j < other._names.Length)
        {
            var c = i >= _names.Length ? 1 : j >= other._names.Length ? -1 : string.CompareOrdinal(_names[i], other._names[j]);
            if (c < 0)
            {
                names[n] = _names[i];
                values[n++] = op(_values[i++], 0);
            }
            else if (c > 0)
            {
                names[n] = other._names[j];
                values[n++] = op(0, other._values[j++]);
            }
            else
            {
                names[n] = _names[i];
                values[n++] = op(_values[i++], other._values[j++]);
            }
        }

        return n == names.Length ? new ResourceList(names, values) : new ResourceList(names[..n], values[..n]);
    }

    private static bool SameNames(string[] a, string[] b)
    {
        if (ReferenceEquals(a, b))
        {
            return true;
        }

        if (a.Length != b.Length)
        {
            return false;
        }

        for (var k = 0; k < a.Length; k++)
        {
            if (!string.Equals(a[k], b[k], StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Quantity strings per resource (see <see cref="FormatMilli"/>), e.g. for a status field.</summary>
    public Dictionary<string, string> ToDictionary()
    {
        var result = new Dictionary<string, string>(_names.Length, StringComparer.Ordinal);
        for (var i = 0; i < _names.Length; i++)
        {
            result[_names[i]] = FormatMilli(_values[i]);
        }

        return result;
    }

    /// <summary>Milli-unit amounts per resource (a new dictionary).</summary>
    public IReadOnlyDictionary<string, long> ToMilliDictionary()
    {
        var result = new Dictionary<string, long>(_names.Length, StringComparer.Ordinal);
        for (var i = 0; i < _names.Length; i++)
        {
            result[_names[i]] = _values[i];
        }

        return result;
    }

    /// <summary>The entries in ordinal name order; a <c>foreach</c> over the list allocates nothing.</summary>
    public Enumerator GetEnumerator() => new(_names, _values);

    IEnumerator<KeyValuePair<string, long>> IEnumerable<KeyValuePair<string, long>>.GetEnumerator() => GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public bool Equals(ResourceList? other)
    {
        if (other is null)
        {
            return false;
        }

        if (ReferenceEquals(this, other))
        {
            return true;
        }

        return _names.AsSpan().SequenceEqual(other._names) && _values.AsSpan().SequenceEqual(other._values);
    }

    public override bool Equals(object? obj) => obj is ResourceList other && Equals(other);

    public override int GetHashCode()
    {
        var hash = default(HashCode);
        for (var i = 0; i < _names.Length; i++)
        {
            hash.Add(_names[i], StringComparer.Ordinal);
            hash.Add(_values[i]);
        }

        return hash.ToHashCode();
    }

    public static bool operator ==(ResourceList? left, ResourceList? right) => left is null ? right is null : left.Equals(right);

    public static bool operator !=(ResourceList? left, ResourceList? right) => !(left == right);

    /// <summary><c>cpu=2, memory=4000</c>; <c>{}</c> when empty.</summary>
    public override string ToString()
    {
        if (_names.Length == 0)
        {
            return "{}";
        }

        var sb = new StringBuilder();
        foreach (var (name, amount) in this)
        {
            if (sb.Length > 0)
            {
                sb.Append(", ");
            }

            sb.Append(name).Append('=').Append(FormatMilli(amount));
        }

        return sb.ToString();
    }
}
