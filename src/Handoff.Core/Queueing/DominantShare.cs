using System.Globalization;
using System.Numerics;
using Handoff.Core.Resources;

namespace Handoff.Core.Queueing;

/// <summary>
/// A queue's weighted dominant share for Dominant Resource Fairness, as an exact fraction: the maximum over
/// resources of usage ÷ (the queue's quota for the resource, or the cluster's total capacity where the quota does
/// not list it), divided by the weight. Lower goes first. Equality and order are of the value alone (never
/// floating point); <see cref="Resource"/> says which resource dominated. A resource in use with nothing to divide
/// by (a quota or capacity of 0) makes the share infinite. <c>default</c> is <see cref="Zero"/>.
/// </summary>
public readonly struct DominantShare : IComparable<DominantShare>, IEquatable<DominantShare>
{
    // Reduced fraction: zero is (0, 0), infinity (1, 0), anything else n/d with gcd 1.
    private readonly UInt128 _numerator;
    private readonly UInt128 _denominator;

    private DominantShare(UInt128 numerator, UInt128 denominator, string? resource)
    {
        _numerator = numerator;
        _denominator = denominator;
        Resource = resource;
    }

    /// <summary>No usage: goes before everything else.</summary>
    public static DominantShare Zero => default;

    /// <summary>The resource that gave the maximum (the ordinal first among equal ones); null for zero.</summary>
    public string? Resource { get; }

    public bool IsZero => _numerator == 0;

    public bool IsInfinite => _denominator == 0 && _numerator != 0;

    /// <summary>
    /// The share of a queue using <paramref name="usage"/> with <paramref name="quota"/> (unlisted resources are
    /// measured against <paramref name="clusterCapacity"/>) and a weight of <paramref name="weightMilli"/>
    /// milli-units. Resources with no usage do not count. The implicit queue of functions without a queue passes an
    /// empty quota and weight 1 (<see cref="QueueQuota.DefaultWeightMilli"/>).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">the weight is not positive.</exception>
    public static DominantShare Of(ResourceList usage, ResourceList quota, ResourceList clusterCapacity, long weightMilli)
    {
        ArgumentNullException.ThrowIfNull(usage);
        ArgumentNullException.ThrowIfNull(quota);
        ArgumentNullException.ThrowIfNull(clusterCapacity);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(weightMilli);

        // The maximum of usage/measure over resources; the weight scales every resource alike, so it comes after.
        var best = Zero;
        foreach (var (name, used) in usage)
        {
            if (used <= 0)
            {
                continue;
            }

            var measure = quota.Contains(name) ? quota[name] : clusterCapacity[name];
            var share = measure <= 0 ? new DominantShare(1, 0, name) : Reduced((UInt128)used, (UInt128)measure, name);
            if (share.CompareTo(best) > 0)
            {
                best = share;
            }
        }

        if (best.IsZero || best.IsInfinite)
        {
            return best;
        }

        // share / (weight / 1000) = share * 1000 / weight; n < 2^63 and d < 2^63 before, so both fit in 128 bits.
        return Reduced(best._numerator * 1000, best._denominator * (ulong)weightMilli, best.Resource);
    }

    public int CompareTo(DominantShare other)
    {
        if (IsInfinite || other.IsInfinite)
        {
            return IsInfinite.CompareTo(other.IsInfinite);
        }

        if (IsZero || other.IsZero)
        {
            return other.IsZero.CompareTo(IsZero);
        }

        // n1/d1 vs n2/d2  <=>  n1*d2 vs n2*d1.
        return CompareProducts(_numerator, other._denominator, other._numerator, _denominator);
    }

    public bool Equals(DominantShare other) => _numerator == other._numerator && _denominator == other._denominator;

    public override bool Equals(object? obj) => obj is DominantShare other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(_numerator, _denominator);

    public static bool operator ==(DominantShare left, DominantShare right) => left.Equals(right);

    public static bool operator !=(DominantShare left, DominantShare right) => !left.Equals(right);

    public static bool operator <(DominantShare left, DominantShare right) => left.CompareTo(right) < 0;

    public static bool operator >(DominantShare left, DominantShare right) => left.CompareTo(right) > 0;

    public static bool operator <=(DominantShare left, DominantShare right) => left.CompareTo(right) <= 0;

    public static bool operator >=(DominantShare left, DominantShare right) => left.CompareTo(right) >= 0;

    /// <summary>An approximation for metrics and messages; decisions use <see cref="CompareTo"/>.</summary>
    public double ToDouble() => IsInfinite ? double.PositiveInfinity : IsZero ? 0 : (double)_numerator / (double)_denominator;

    /// <summary><c>0.375 (cpu)</c>, <c>infinite (nvidia.com/gpu)</c> or <c>0</c>.</summary>
    public override string ToString() =>
        IsZero ? "0"
        : IsInfinite ? $"infinite ({Resource})"
        : $"{ToDouble().ToString("0.####", CultureInfo.InvariantCulture)} ({Resource})";

    private static DominantShare Reduced(UInt128 numerator, UInt128 denominator, string? resource)
    {
        if (numerator == 0)
        {
            return Zero;
        }

        var a = numerator;
        var b = denominator;
        while (b != 0)
        {
            (a, b) = (b, a % b);
        }

        return new DominantShare(numerator / a, denominator / a, resource);
    }

    private static int CompareProducts(UInt128 a, UInt128 b, UInt128 c, UInt128 d)
    {
        // Both products fit in 128 bits when the factors' bit lengths add up to at most 128.
        if (BitLength(a) + BitLength(b) <= 128 && BitLength(c) + BitLength(d) <= 128)
        {
            return (a * b).CompareTo(c * d);
        }

        return ((BigInteger)a * b).CompareTo((BigInteger)c * d);
    }

    private static int BitLength(UInt128 value) => 128 - (int)UInt128.LeadingZeroCount(value);
}
