namespace Handoff.Core.Tracking;

/// <summary>An exact fraction with a positive denominator, compared without rounding.</summary>
public readonly record struct Fraction(long Numerator, long Denominator) : IComparable<Fraction>
{
    public int CompareTo(Fraction other) =>
        ((Int128)Numerator * other.Denominator).CompareTo((Int128)other.Numerator * Denominator);

    public static bool operator <(Fraction left, Fraction right) => left.CompareTo(right) < 0;

    public static bool operator >(Fraction left, Fraction right) => left.CompareTo(right) > 0;

    public static bool operator <=(Fraction left, Fraction right) => left.CompareTo(right) <= 0;

    public static bool operator >=(Fraction left, Fraction right) => left.CompareTo(right) >= 0;

    public double ToDouble() => (double)Numerator / Denominator;
}
