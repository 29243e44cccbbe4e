using System.Globalization;

namespace Handoff.Benchmarks.EndToEnd;

/// <summary>
/// The machine's 1-minute load average (<c>/proc/loadavg</c>), written next to every end-to-end number: the machine is
/// shared, and a number taken at load 8 on 2 cores is not comparable with one taken at load 1.
/// </summary>
public static class MachineLoad
{
    public static double Now() =>
        File.Exists("/proc/loadavg")
            ? double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture)
            : double.NaN;
}
