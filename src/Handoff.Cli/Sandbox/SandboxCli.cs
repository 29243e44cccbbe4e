using System.Runtime.InteropServices;
using Handoff.Sandbox;

namespace Handoff.Cli.Sandbox;

/// <summary>Runs <see cref="SandboxHost"/> until Ctrl-C or SIGTERM, then exits 0.</summary>
internal static class SandboxCli
{
    public static async Task<int> RunAsync(SandboxHostOptions options, string podDuration, IReadOnlyList<SandboxCompanion>? companions, CancellationToken cancellationToken)
    {
        if (!TryParseDuration(podDuration, out var duration))
        {
            await Console.Error.WriteLineAsync($"error: --pod-duration: \"{podDuration}\" is not a duration (examples: 1s, 500ms, 2m)");
            return 1;
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        void Handler(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }

        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Handler);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handler);
        var code = await SandboxHost.RunAsync(options with { DefaultPodDuration = duration }, Console.Out, Console.Error, companions, stop.Token);
        await Console.Out.FlushAsync(CancellationToken.None);
        return code;
    }

    private static bool TryParseDuration(string text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        var s = text.Trim();
        var units = new (string Suffix, double Ms)[] { ("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000) };
        foreach (var (suffix, ms) in units)
        {
            if (s.EndsWith(suffix, StringComparison.Ordinal) &&
                double.TryParse(s[..^suffix.Length], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var v) && v >= 0)
            {
                duration = TimeSpan.FromMilliseconds(v * ms);
                return true;
            }
        }

        return s == "0";
    }
}
