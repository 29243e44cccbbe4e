namespace Handoff.Benchmarks.EndToEnd;

/// <summary>Nearest-rank percentiles of sorted samples.</summary>
public static class Percentiles
{
    /// <summary>The <paramref name="p"/> (0–1) percentile of <paramref name="sorted"/> (ascending); NaN when empty.</summary>
    public static double Of(IReadOnlyList<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
}
