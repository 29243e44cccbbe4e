using Handoff.Core.Resources;

namespace Handoff.Core.Tracking;

/// <summary>The score of the LoadBalanced and BestFit strategies.</summary>
public static class FreeFraction
{
    /// <summary>
    /// The fraction of a node left free after placing <paramref name="cost"/>: the minimum over the cost's
    /// resources (those with a positive amount) of (available − cost) / capacity. A cost with no positive amount
    /// is scored over all of the node's resources with a positive capacity; a node with none scores 1.
    /// </summary>
    public static Fraction After(ResourceList cost, ResourceList capacity, ResourceList available)
    {
        Fraction? min = null;
        foreach (var (name, amount) in cost)
        {
            if (amount <= 0)
            {
                continue;
            }

            var f = new Fraction(available[name] - amount, Math.Max(1, capacity[name]));
            if (min is null || f.CompareTo(min.Value) < 0)
            {
                min = f;
            }
        }

        if (min is not null)
        {
            return min.Value;
        }

        foreach (var (name, cap) in capacity)
        {
            if (cap <= 0)
            {
                continue;
            }

            var f = new Fraction(available[name], cap);
            if (min is null || f.CompareTo(min.Value) < 0)
            {
                min = f;
            }
        }

        return min ?? new Fraction(1, 1);
    }

    /// <summary>Whether <paramref name="candidate"/> beats <paramref name="best"/> under <paramref name="preference"/>.</summary>
    public static bool Prefers(this FreeFractionPreference preference, Fraction candidate, Fraction best) =>
        preference == FreeFractionPreference.Highest ? candidate > best : candidate < best;
}
