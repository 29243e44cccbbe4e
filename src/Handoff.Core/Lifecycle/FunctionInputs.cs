using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Handoff.Core.Lifecycle;

/// <summary>
/// What a function is handed, assembled once for the pod and for the limits: the results of its args in order (an
/// absent result is ""), then its extraArgs; <see cref="Json"/> is the value of <c>HANDOFF_ARGS</c> exactly as the pod
/// gets it, and each value is also <c>HANDOFF_ARG_i</c>.
/// </summary>
public sealed record FunctionInputs(IReadOnlyList<string> Values, string Json)
{
    public const string FunctionEnv = "HANDOFF_FUNCTION";
    public const string ArgsEnv = "HANDOFF_ARGS";
    public const string ArgEnvPrefix = "HANDOFF_ARG_";

    /// <summary>The number of <c>args</c> (results) among <see cref="Values"/>.</summary>
    public int ResultCount { get; init; }

    public static FunctionInputs Assemble(IReadOnlyList<string?> results, IReadOnlyList<string> extraArgs)
    {
        ArgumentNullException.ThrowIfNull(results);
        ArgumentNullException.ThrowIfNull(extraArgs);
        var values = new List<string>(results.Count + extraArgs.Count);
        values.AddRange(results.Select(r => r ?? ""));
        values.AddRange(extraArgs);
        return new FunctionInputs(values, JsonSerializer.Serialize(values)) { ResultCount = results.Count };
    }

    /// <summary>
    /// Null when the inputs are within <see cref="InputLimits"/> for a pod of <paramref name="containers"/> containers
    /// (each gets the HANDOFF_* environment) of the function <paramref name="function"/>; else why not, with the numbers.
    /// </summary>
    public string? Check(string function, int containers)
    {
        ArgumentNullException.ThrowIfNull(function);
        if (ResultCount > InputLimits.MaxArgs)
        {
            return Messages.TooManyArgs(ResultCount, InputLimits.MaxArgs);
        }

        var argsBytes = Encoding.UTF8.GetByteCount(Json);
        if (argsBytes > InputLimits.MaxArgsBytes)
        {
            return Messages.ArgsTooLarge(argsBytes, InputLimits.MaxArgsBytes, ResultCount, Values.Count - ResultCount);
        }

        long perContainer = FunctionEnv.Length + 1 + Encoding.UTF8.GetByteCount(function) + ArgsEnv.Length + 1 + argsBytes;
        for (var i = 0; i < Values.Count; i++)
        {
            perContainer += ArgEnvPrefix.Length + i.ToString(CultureInfo.InvariantCulture).Length + 1 + Encoding.UTF8.GetByteCount(Values[i]);
        }

        var total = perContainer * Math.Max(1, containers);
        return total > InputLimits.MaxPodEnvironmentBytes
            ? Messages.PodEnvironmentTooLarge(total, InputLimits.MaxPodEnvironmentBytes, Math.Max(1, containers))
            : null;
    }
}
