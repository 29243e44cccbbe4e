using System.Globalization;

namespace Handoff.Api;

/// <summary>
/// Parses durations as Go (and Kubernetes) write them: one or more decimal numbers with a unit — <c>ns</c>,
/// <c>us</c>/<c>µs</c>, <c>ms</c>, <c>s</c>, <c>m</c>, <c>h</c> — e.g. <c>30s</c>, <c>1.5s</c>, <c>2m</c>, <c>1h30m</c>.
/// Exact to the tick (100 ns); negative durations are rejected.
/// Read by the sandbox kubelet (<c>handoff.dev/sandbox-duration</c>) and by <c>handoff</c>'s flags and planner
/// (<c>handoff.dev/duration</c>).
/// </summary>
public static class GoDuration
{
    private static readonly (string Unit, decimal Ticks)[] Units =
    [
        ("ns", 0.01m), ("us", 10m), ("µs", 10m), ("ms", TimeSpan.TicksPerMillisecond),
        ("s", TimeSpan.TicksPerSecond), ("m", TimeSpan.TicksPerMinute), ("h", TimeSpan.TicksPerHour),
    ];

    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        var s = text?.Trim() ?? "";
        if (s.Length == 0)
        {
            return false;
        }

        if (s == "0")
        {
            return true;
        }

        decimal ticks = 0;
        var i = 0;
        while (i < s.Length)
        {
            var start = i;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.'))
            {
                i++;
            }

            if (i == start || !decimal.TryParse(s[start..i], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            {
                return false;
            }

            var unitStart = i;
            while (i < s.Length && !char.IsAsciiDigit(s[i]) && s[i] != '.')
            {
                i++;
            }

            var unit = s[unitStart..i];
            var match = Units.Where(u => u.Unit == unit).Select(u => (decimal?)u.Ticks).FirstOrDefault();
            if (match is null)
            {
                return false;
            }

            try
            {
                ticks += number * match.Value;
            }
            catch (OverflowException)
            {
                return false;
            }
        }

        if (ticks > TimeSpan.MaxValue.Ticks)
        {
            return false;
        }

        duration = TimeSpan.FromTicks((long)decimal.Ceiling(ticks));
        return true;
    }
}
